"""The second factor (TOTP + recovery codes) for officials, staff and superusers.

These tests sign in through the real pages (POST /accounts/login/ then the second step), so
they opt out of the test-suite helper that verifies ``Client.force_login`` sessions.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import second_factor
from portal.accounts.demo import DEMO_OTP_SECRET, demo_device_enrol
from tests.factories.accounts import (
    PASSWORD,
    EnterpriseUserFactory,
    OfficialUserFactory,
    SuperuserFactory,
)
from tests.second_factor_helpers import totp_now

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]

STAFF_PAGES = [
    "/admin/",
    "/admin/policies/policy/",
    "/staff/dashboard/",
    "/liaison/",
    "/appeals/staff/",
    "/applications/review/",
]


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _password_login(client: Client, user, next_url: str = "") -> object:
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


@pytest.fixture
def official():
    user = OfficialUserFactory()
    _enrolled(user)
    return user


# --- a stolen password alone --------------------------------------------------------------------


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize("factory", [OfficialUserFactory, SuperuserFactory], ids=["official", "superuser"])
def test_a_password_alone_opens_no_admin_or_staff_page(client, path, factory):
    user = factory()
    _enrolled(user)
    response = _password_login(client, user, next_url=path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify")), path
    # ... and with the code the same page opens
    client.post(reverse("accounts:otp_verify"), {"code": totp_now(user.totpdevice_set.get())})
    assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_password_alone_of_an_official_without_device_leads_to_enrolment(client, path):
    user = OfficialUserFactory()
    _password_login(client, user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_the_code_step_shows_no_staff_menu_until_the_code_is_given(client, official):
    # given the password accepted, the step page offers only the step (the menu's links all led
    # back to it)
    _password_login(client, official)
    step = client.get(reverse("accounts:otp_verify")).content.decode()
    assert "6 位验证码" in step
    assert 'href="/staff/dashboard/"' not in step and 'href="/admin/"' not in step
    # when the code is given, the menu is there
    client.post(reverse("accounts:otp_verify"), {"code": totp_now(official.totpdevice_set.get())})
    page = client.get("/staff/dashboard/").content.decode()
    assert 'href="/staff/dashboard/"' in page and 'href="/admin/"' in page


def test_the_admin_has_no_password_form_of_its_own(client, official):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    # posting the password to the admin's login signs nobody in
    response = client.post("/admin/login/", {"username": official.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_half_signed_in_session_is_anonymous_to_the_api(client, official):
    _password_login(client, official)
    response = client.get("/api/v1/enterprises/", HTTP_ACCEPT="application/json")
    assert response.status_code in (401, 403)


def test_the_token_endpoint_wants_the_code_of_an_official(client, official):
    url = "/api/v1/auth/token/"
    response = client.post(
        url, {"username": official.username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "otp" in str(response.json())
    assert "token" not in response.json()
    response = client.post(
        url,
        {"username": official.username, "password": PASSWORD, "otp": "000000"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "token" not in response.json()
    device = official.totpdevice_set.get()
    assert device.throttling_failure_count == 1  # and the device backs off (1 s, 2 s, 4 s, ...)
    device.throttle_reset()
    ok = client.post(
        url,
        {"username": official.username, "password": PASSWORD, "otp": totp_now(device)},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["token"]
    # the same code again is a replay
    again = client.post(
        url,
        {"username": official.username, "password": PASSWORD, "otp": totp_now(device)},
        content_type="application/json",
    )
    assert again.status_code == 400 and "token" not in again.json()


def test_the_token_endpoint_refusal_names_otp_in_english(client, official):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": official.username, "password": PASSWORD},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = str(response.json())
    assert "otp" in body
    assert "authenticator" in body


def test_the_token_endpoint_refuses_an_official_who_never_enrolled(client):
    user = OfficialUserFactory()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD, "otp": "123456"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "otp" in str(response.json())


def test_an_enterprise_user_still_gets_a_token_with_the_password(client):
    user = EnterpriseUserFactory()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["token"]


# --- the code step ------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_a_replayed_code_too(client, official):
    device = official.totpdevice_set.get()
    _password_login(client, official)
    wrong = client.post(reverse("accounts:otp_verify"), {"code": "12345x"})
    assert wrong.status_code == 400
    assert "验证码错误" in wrong.content.decode()
    code = totp_now(device)
    bad = "000000" if code != "000000" else "111111"
    assert client.post(reverse("accounts:otp_verify"), {"code": bad}).status_code in (400, 429)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()
    ok = client.post(reverse("accounts:otp_verify"), {"code": code, "next": "/staff/dashboard/"})
    assert ok.status_code == 302 and ok["Location"] == "/staff/dashboard/"
    assert client.get("/staff/dashboard/").status_code == 200
    # another browser with the stolen password and the code just used: refused (replay)
    thief = Client()
    _password_login(thief, official)
    replay = thief.post(reverse("accounts:otp_verify"), {"code": code})
    assert replay.status_code == 400
    assert thief.get("/staff/dashboard/").status_code == 302


def test_wrong_codes_back_off_so_that_guessing_is_hopeless(client, official):
    device = official.totpdevice_set.get()
    _password_login(client, official)
    client.post(reverse("accounts:otp_verify"), {"code": "000001"})
    client.post(reverse("accounts:otp_verify"), {"code": "000002"})
    # right after failures the device refuses even the right code until the back-off ends
    blocked = client.post(reverse("accounts:otp_verify"), {"code": totp_now(device)})
    assert blocked.status_code == 429
    assert "次数过多" in blocked.content.decode()
    assert client.get("/staff/dashboard/").status_code == 302
    device.refresh_from_db()
    allowed, _info = device.verify_is_allowed()
    assert not allowed


def test_a_recovery_code_works_once(client, official):
    codes = second_factor.recovery_codes_issue(official)
    assert len(codes) == 10 and len(set(codes)) == 10
    _password_login(client, official)
    response = client.post(reverse("accounts:otp_verify"), {"code": codes[0].upper(), "next": "/liaison/"})
    assert response.status_code == 302 and response["Location"] == "/liaison/"
    assert client.get("/liaison/").status_code == 200
    assert StaticToken.objects.filter(device__user=official).count() == 9
    other = Client()
    _password_login(other, official)
    assert other.post(reverse("accounts:otp_verify"), {"code": codes[0]}).status_code == 400
    assert other.get("/liaison/").status_code == 302


def test_recovery_codes_can_be_regenerated_and_the_old_ones_stop_working(client, official):
    old = second_factor.recovery_codes_issue(official)
    _password_login(client, official)
    client.post(reverse("accounts:otp_verify"), {"code": totp_now(official.totpdevice_set.get())})
    page = client.get(reverse("accounts:otp_recovery"))
    assert page.status_code == 200 and "10" in page.content.decode()
    response = client.post(reverse("accounts:otp_recovery"))
    new = re.findall(r"<code>([a-z2-7]{8})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert second_factor.check_code(official, old[1]).device is None
    StaticDevice.objects.get(user=official).throttle_reset()  # the failure above backs off
    assert second_factor.check_code(official, new[1]).device is not None


# --- enrolment ----------------------------------------------------------------------------------


def test_an_official_enrols_at_the_first_sign_in(client):
    user = OfficialUserFactory()
    response = _password_login(client, user, next_url="/staff/dashboard/")
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == reverse("accounts:otp_setup")
    page = client.get(reverse("accounts:otp_setup") + "?next=/staff/dashboard/")
    html = page.content.decode()
    assert "<svg" in html  # the QR code, drawn by the portal
    secret = re.search(r'<code id="otp-secret">([A-Z2-7]+)</code>', html).group(1)
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert second_factor.key_from_base32(secret) == device.key
    # a wrong first code enrols nothing
    assert client.post(reverse("accounts:otp_setup"), {"code": "99999x"}).status_code == 400
    code = f"{TOTP(bytes.fromhex(second_factor.key_from_base32(secret))).token():06d}"
    done = client.post(reverse("accounts:otp_setup"), {"code": code, "next": "/staff/dashboard/"})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/dashboard/").status_code == 200
    # the recovery codes are shown once: the page does not show them again
    assert codes[0] not in client.get(reverse("accounts:otp_recovery")).content.decode()
    # next sign-in asks for the code
    other = Client()
    _password_login(other, user)
    assert other.get("/staff/dashboard/")["Location"].startswith(reverse("accounts:otp_verify"))


def test_enrolment_cannot_replace_a_device_without_its_code(client, official):
    _password_login(client, official)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))


def test_an_administrator_reset_sends_the_official_back_to_enrolment(client, official):
    assert second_factor.devices_reset(official) >= 1
    _password_login(client, official)
    assert client.get("/staff/dashboard/")["Location"].startswith(reverse("accounts:otp_setup"))


# --- enterprise users ---------------------------------------------------------------------------


def test_an_enterprise_user_without_a_device_signs_in_as_before(client):
    user = EnterpriseUserFactory()
    response = _password_login(client, user, next_url="/my/policies/")
    assert response.status_code == 302 and response["Location"] == "/my/policies/"
    assert client.get("/my/policies/").status_code == 200


def test_an_enterprise_user_may_opt_in_and_is_then_asked_for_the_code(client):
    user = EnterpriseUserFactory()
    _password_login(client, user)
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    done = client.post(reverse("accounts:otp_setup"), {"code": totp_now(device)})
    assert done.status_code == 200
    assert client.get("/my/policies/").status_code == 200
    other = Client()
    _password_login(other, user)
    assert other.get("/my/policies/")["Location"].startswith(reverse("accounts:otp_verify"))


# --- the demo -----------------------------------------------------------------------------------


def test_demo_officials_are_pre_enrolled_and_demo_otp_prints_a_working_code(client, capsys):
    admin = SuperuserFactory(username="admin")
    device = demo_device_enrol(admin)
    assert device.key == second_factor.key_from_base32(DEMO_OTP_SECRET)
    call_command("demo_otp")
    out = capsys.readouterr().out
    code = re.search(r"admin\s+(\d{6})", out).group(1)
    _password_login(client, admin)
    assert client.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_force_login_outside_these_tests_verifies_the_session(db):
    """The suite's helper (tests/conftest.py) only stands in for the real step; here it is off."""
    user = OfficialUserFactory()
    c = Client()
    c.force_login(user)
    assert c.get("/staff/dashboard/").status_code == 302
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_otp_reset_removes_a_lost_device_and_refuses_an_unknown_user(official, capsys):
    second_factor.recovery_codes_issue(official)
    call_command("otp_reset", official.username)
    assert "removed" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert not StaticDevice.objects.filter(user=official).exists()
    with pytest.raises(CommandError):
        call_command("otp_reset", "nobody-here")
