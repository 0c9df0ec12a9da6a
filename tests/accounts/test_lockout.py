"""django-axes locks the ACCOUNT after 5 failures, wherever they come from."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.factories.accounts import PASSWORD, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fail(client, url, username, times, ip="10.1.1.1"):
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong-password-1"}, REMOTE_ADDR=ip)


def test_portal_login_works_with_the_right_password():
    user = UserFactory()
    response = UnauthClient().post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_five_failures_lock_the_account_on_the_portal_even_with_the_right_password(client):
    # given
    user = UserFactory()
    _fail(client, reverse("accounts:login"), user.username, 4)
    ok = client.post(
        reverse("accounts:login"), {"username": "someone-else", "password": "x"}, REMOTE_ADDR="10.1.1.1"
    )
    assert ok.status_code == 200  # four failures: not locked yet, and another account unaffected
    _fail(client, reverse("accounts:login"), user.username, 1)
    # when the right password comes, from another address
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    # then
    assert response.status_code == 429
    assert "账号已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=user.username).exists()


def test_another_account_from_the_same_address_is_not_locked(client):
    victim, other = UserFactory(), UserFactory()
    _fail(client, reverse("accounts:login"), victim.username, 5)
    response = client.post(
        reverse("accounts:login"), {"username": other.username, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302


def test_five_failures_lock_the_account_on_the_admin_login(client):
    # the admin has no password form of its own: its login is the portal's (second_factor.py)
    root = SuperuserFactory()
    admin_login = client.get(reverse("admin:login") + "?next=/admin/")
    assert admin_login.status_code == 302
    url = admin_login["Location"]
    assert url.startswith(reverse("accounts:login"))
    _fail(client, url, root.username, 5, ip="10.2.2.2")
    response = client.post(url, {"username": root.username, "password": PASSWORD}, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_authenticate_with_request_counts_towards_the_lock(rf):
    # The API's token endpoint must call authenticate(request=…): this is what it relies on.
    from django.contrib.auth import authenticate

    user = UserFactory()
    for _ in range(5):
        request = rf.post("/api/v1/token/")
        assert authenticate(request=request, username=user.username, password="nope-nope-1") is None
    request = rf.post("/api/v1/token/")
    assert authenticate(request=request, username=user.username, password=PASSWORD) is None
    assert getattr(request, "axes_locked_out", False)


def test_lockout_is_configured_for_the_account_with_a_cool_off():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert "username" in settings.AXES_LOCKOUT_PARAMETERS
    assert settings.AXES_COOLOFF_TIME.total_seconds() > 0


def UnauthClient():
    from django.test import Client

    return Client()
