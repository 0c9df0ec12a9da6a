from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.accounts.demo import DEMO_PASSWORD
from tests.factories.accounts import (
    PASSWORD,
    EnterpriseUserFactory,
    OfficialUserFactory,
    SuperuserFactory,
    UserFactory,
)
from tests.second_factor_helpers import client_second_step

pytestmark = pytest.mark.django_db


def test_default_profile_needs_eight_characters_and_refuses_common_passwords():
    user = UserFactory.build()
    with pytest.raises(ValidationError) as exc:
        validate_password("short1!", user)
    assert exc.value.messages == ["密码至少需要 8 个字符。"]
    with pytest.raises(ValidationError):
        validate_password("password123", user)
    validate_password("lanterns-over-river", user)  # lower-case only is fine for enterprise users
    validate_password("lantern7", user)  # 8 characters, letters and a digit


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "lanternsoverriver",
        "汉字密码足够长了吧",
        "4938271650",
        "!@#$%^&*()-+",
        "mein Passwort",
    ],
)
def test_enterprise_passwords_of_one_character_class_are_refused(password):
    user = EnterpriseUserFactory()
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert "不能只由一类字符组成" in " ".join(exc.value.messages)


def test_the_enterprise_rule_is_explained_in_the_visitor_language():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_password("aaaaaaaaaaaa", EnterpriseUserFactory())
    assert "only letters, only digits or only symbols" in " ".join(exc.value.messages)


def test_officials_get_their_own_rule_and_one_message_per_problem():
    official = OfficialUserFactory()
    with pytest.raises(ValidationError) as exc:
        validate_password("aaaaaaaaaaaa", official)
    messages = exc.value.messages
    assert not any("一类字符" in m for m in messages)  # the enterprise rule stays silent
    assert any("大写字母" in m for m in messages)
    validate_password("Lanterns-0ver-r1ver", official)


def test_officials_need_every_character_class_and_twelve_characters():
    official = OfficialUserFactory()
    with pytest.raises(ValidationError) as exc:
        validate_password("lanterns-over-river", official)
    assert "大写字母" in " ".join(exc.value.messages) and "数字" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        validate_password("Ab1!Ab1!xyz", official)  # 11 characters
    validate_password("Lanterns-0ver-river", official)


def test_superusers_get_the_strict_profile_too():
    with pytest.raises(ValidationError):
        validate_password("lanterns-over-river", SuperuserFactory())


def test_demo_password_passes_both_profiles():
    # validate_password raises on a refusal: the demo password is accepted by both profiles ...
    for user in (UserFactory(), OfficialUserFactory()):
        assert validate_password(DEMO_PASSWORD, user) is None
        # ... by the same validators that refuse a weak password for that user
        with pytest.raises(ValidationError):
            validate_password("aaaaaaaa", user)


def _login(client, user, password=PASSWORD):
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    if response["Location"].startswith("/accounts/2fa/"):  # officials: the second step first
        client_second_step(client, user)


def test_an_official_with_a_password_older_than_90_days_is_sent_to_the_change_page(client):
    # given
    official = OfficialUserFactory()
    type(official).objects.filter(pk=official.pk).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    _login(client, official)
    # when
    response = client.get(reverse("accounts:bind"))
    admin_response = client.get(reverse("admin:index"))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password_change"))
    assert admin_response["Location"].startswith(reverse("accounts:password_change"))
    assert client.get(reverse("accounts:password_change")).status_code == 200


def test_changing_the_password_lifts_the_redirect(client):
    official = OfficialUserFactory()
    type(official).objects.filter(pk=official.pk).update(
        password_changed_at=timezone.now() - timedelta(days=100)
    )
    _login(client, official)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Fresh-Start-2027", "new_password2": "Fresh-Start-2027"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    official.refresh_from_db()
    assert official.password_changed_at > timezone.now() - timedelta(minutes=1)
    assert client.get(reverse("admin:index")).status_code == 200


def test_password_change_page_refuses_a_weak_password_for_officials(client):
    official = OfficialUserFactory()
    _login(client, official)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "lanterns-over-river",
            "new_password2": "lanterns-over-river",
        },
    )
    assert response.status_code == 200
    assert "特殊符号" in response.content.decode() or "大写字母" in response.content.decode()
    official.refresh_from_db()
    assert official.check_password(PASSWORD)


def test_an_official_with_a_recent_password_and_an_old_enterprise_user_are_not_redirected(client):
    official = OfficialUserFactory()
    _login(client, official)
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    enterprise_user = EnterpriseUserFactory()
    type(enterprise_user).objects.filter(pk=enterprise_user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=400)
    )
    _login(client, enterprise_user)
    assert client.get(reverse("accounts:bind")).status_code == 200


def test_password_age_is_recorded_whenever_a_password_is_set():
    user = UserFactory()
    assert user.password_changed_at is not None
    created = type(user).objects.create_user("fresh", password="Some-Pass-2026!")
    assert created.password_changed_at is not None


def test_the_max_age_check_costs_no_query_for_a_recent_password(rf, django_assert_num_queries):
    from portal.accounts.middleware import PasswordMaxAgeMiddleware

    official = OfficialUserFactory()
    request = rf.get("/policies/")
    request.user = official
    middleware = PasswordMaxAgeMiddleware(lambda r: "page")
    with django_assert_num_queries(0):
        assert middleware(request) == "page"


def test_a_password_set_by_an_administrator_must_be_replaced_by_the_official(client):
    # given an administrator resets an official's password in the admin
    official = OfficialUserFactory()
    client.force_login(SuperuserFactory())
    response = client.post(
        reverse("admin:auth_user_password_change", args=[official.pk]),
        {"password1": "Temp-Password-2026!", "password2": "Temp-Password-2026!"},
    )
    assert response.status_code == 302
    client.logout()
    # when the official logs in with it
    _login(client, official, password="Temp-Password-2026!")
    # then every page leads to the change page first
    page = client.get(reverse("admin:index"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:password_change"))


def test_a_user_created_in_the_admin_starts_with_an_initial_password(client):
    client.force_login(SuperuserFactory())
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newofficial",
            "password1": "Initial-Pass-2026!",
            "password2": "Initial-Pass-2026!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    from portal.accounts.models import PASSWORD_MUST_CHANGE, User

    assert User.objects.get(username="newofficial").password_changed_at == PASSWORD_MUST_CHANGE
