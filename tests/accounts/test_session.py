from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sessions_end_after_30_idle_minutes_and_are_renewed_on_each_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def _logged_in(client):
    user = UserFactory()
    assert (
        client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    return user


def test_an_idle_session_is_logged_out_after_30_minutes(client):
    # given a logged-in user
    _logged_in(client)
    assert client.get(reverse("accounts:bind")).status_code == 200
    # when 31 minutes pass without a request
    later = timezone.now() + timedelta(minutes=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(reverse("accounts:bind"))
    # then the page asks to log in again
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_activity_keeps_the_session_alive(client):
    _logged_in(client)
    start = timezone.now()
    for minutes in (20, 40, 60):  # each request within 30 minutes of the previous one
        with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=minutes)):
            assert client.get(reverse("accounts:bind")).status_code == 200
