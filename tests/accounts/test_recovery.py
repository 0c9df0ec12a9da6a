"""忘记密码: a reset link by e-mail or a 6-digit code by SMS; single use, expiring, superseded by a
newer request, five wrong codes burn it; the same answer for unknown accounts; rate limits."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import PasswordReset
from tests.factories.accounts import PASSWORD, EnterpriseUserFactory, OfficialUserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river-lantern-88"
LINK_RE = re.compile(r"https?://\S+/accounts/password/reset/link/([\w-]+)/")


@pytest.fixture(autouse=True)
def _recovery_settings(settings):
    settings.PASSWORD_RESET_MIN_RESPONSE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def django_client_factory():
    from django.test import Client

    return Client


def _ask(client, identifier, channel="email"):
    return client.post(reverse("accounts:password_reset"), {"identifier": identifier, "channel": channel})


def _link_token(mail) -> str:
    match = LINK_RE.search(mail.body)
    assert match, mail.body
    return match.group(1)


def _set_password(client, password=NEW_PASSWORD):
    return client.post(
        reverse("accounts:password_reset_new"), {"new_password1": password, "new_password2": password}
    )


def _signs_in(client, user, password) -> bool:
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    client.logout()
    return response.status_code == 302


def _sms_code(sent_sms) -> str:
    match = re.search(r"验证码：(\d{6})", sent_sms[-1][1])
    assert match, sent_sms
    return match.group(1)


# --- the e-mail link ----------------------------------------------------------------------


def test_an_enterprise_user_resets_the_password_by_the_emailed_link_and_signs_in_with_it(client, mailoutbox):
    # given
    user = EnterpriseUserFactory()
    # when
    response = _ask(client, user.email)
    # then a link went to the registered address, and nothing of it is stored in clear
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_sent")
    assert [m.to for m in mailoutbox] == [[user.email]]
    token = _link_token(mailoutbox[0])
    reset = PasswordReset.objects.get(user=user)
    assert token not in reset.secret_hash and reset.channel == "email"
    # when the link is opened, it moves to a page without the secret in its address
    opened = client.get(reverse("accounts:password_reset_link", args=[token]))
    assert opened.status_code == 302 and opened["Location"] == reverse("accounts:password_reset_new")
    form = client.get(reverse("accounts:password_reset_new"))
    assert form.status_code == 200 and user.username in form.content.decode()
    assert "不能只由一类字符组成" not in form.content.decode()
    assert (
        "两类" in form.content.decode() and "政府工作人员账号：" not in form.content.decode()
    )  # its own rule only
    done = _set_password(client)
    # then
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_done")
    assert _signs_in(client, user, NEW_PASSWORD)
    assert not _signs_in(client, user, PASSWORD)
    # and a confirmation went to the same address
    assert "密码已重置" in mailoutbox[-1].subject


def test_the_link_is_built_on_site_url_not_on_the_host_header(client, settings, mailoutbox):
    settings.SITE_URL = "https://policy.example.gov.cn"
    settings.ALLOWED_HOSTS = ["*"]
    user = EnterpriseUserFactory()
    client.post(
        reverse("accounts:password_reset"),
        {"identifier": user.username, "channel": "email"},
        HTTP_HOST="attacker.example",
    )
    assert "https://policy.example.gov.cn/accounts/password/reset/link/" in mailoutbox[0].body
    assert "attacker.example" not in mailoutbox[0].body


def test_a_link_cannot_be_used_twice(client, mailoutbox):
    user = EnterpriseUserFactory()
    _ask(client, user.username)
    token = _link_token(mailoutbox[0])
    client.get(reverse("accounts:password_reset_link", args=[token]))
    assert _set_password(client).status_code == 302
    # the same link again, in a fresh session
    client.cookies.clear()
    again = client.get(reverse("accounts:password_reset_link", args=[token]))
    assert again.status_code == 400 and "链接无效或已过期" in again.content.decode()
    assert client.get(reverse("accounts:password_reset_new")).status_code == 400


def test_a_link_expires_after_thirty_minutes(client, mailoutbox):
    user = EnterpriseUserFactory()
    _ask(client, user.username)
    token = _link_token(mailoutbox[0])
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert client.get(reverse("accounts:password_reset_link", args=[token])).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.get(reverse("accounts:password_reset_new")).status_code == 400
        assert client.get(reverse("accounts:password_reset_link", args=[token])).status_code == 400
        assert _set_password(client).status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_newer_request_supersedes_the_earlier_link(client, mailoutbox):
    user = EnterpriseUserFactory()
    _ask(client, user.username)
    _ask(client, user.email)
    first, second = _link_token(mailoutbox[0]), _link_token(mailoutbox[1])
    assert first != second
    assert client.get(reverse("accounts:password_reset_link", args=[first])).status_code == 400
    assert client.get(reverse("accounts:password_reset_link", args=[second])).status_code == 302


def test_a_link_opened_before_the_password_was_changed_elsewhere_is_refused(client, mailoutbox):
    user = EnterpriseUserFactory()
    _ask(client, user.username)
    token = _link_token(mailoutbox[0])
    client.get(reverse("accounts:password_reset_link", args=[token]))
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        user.set_password("another-pass-77")
        user.save()
        assert _set_password(client).status_code == 400
    user.refresh_from_db()
    assert user.check_password("another-pass-77")


def test_guessed_links_are_refused_without_a_500(client):
    EnterpriseUserFactory()
    for guess in ("x", "A" * 43, "%2E%2E", "%00", "a" * 300, "令牌"):
        response = client.get(f"/accounts/password/reset/link/{guess}/")
        assert response.status_code == 400, guess
    assert client.get(reverse("accounts:password_reset_new")).status_code == 400


def test_the_new_password_must_follow_the_enterprise_rule(client, mailoutbox):
    user = EnterpriseUserFactory()
    _ask(client, user.username)
    client.get(reverse("accounts:password_reset_link", args=[_link_token(mailoutbox[0])]))
    refused = _set_password(client, "aaaaaaaaaaaa")
    assert refused.status_code == 400
    assert "不能只由一类字符组成" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # the link still works for a good password
    assert _set_password(client).status_code == 302


# --- the SMS code -------------------------------------------------------------------------


def test_an_enterprise_user_resets_the_password_by_an_sms_code(client, sent_sms):
    user = EnterpriseUserFactory(phone="13912345678")
    response = _ask(client, "+86 139 1234 5678", channel="sms")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_code")
    assert sent_sms[-1][0] == "13912345678"
    code = _sms_code(sent_sms)
    reset = PasswordReset.objects.get(user=user)
    assert code not in reset.secret_hash and reset.sent_to == "139****5678"
    verified = client.post(reverse("accounts:password_reset_code"), {"code": code})
    assert verified.status_code == 302 and verified["Location"] == reverse("accounts:password_reset_new")
    assert _set_password(client).status_code == 302
    assert _signs_in(client, user, NEW_PASSWORD)


def test_five_wrong_codes_burn_the_code(client, sent_sms):
    user = EnterpriseUserFactory()
    _ask(client, user.phone, channel="sms")
    code = _sms_code(sent_sms)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = client.post(reverse("accounts:password_reset_code"), {"code": wrong})
        assert response.status_code == 400 and "验证码错误或已失效" in response.content.decode()
    burnt = client.post(reverse("accounts:password_reset_code"), {"code": code})
    assert burnt.status_code == 400
    assert PasswordReset.objects.get(user=user).failed_attempts == 5


def test_a_verified_code_cannot_be_verified_again_in_another_session(client, django_client_factory, sent_sms):
    user = EnterpriseUserFactory()
    _ask(client, user.username, channel="sms")
    code = _sms_code(sent_sms)
    assert client.post(reverse("accounts:password_reset_code"), {"code": code}).status_code == 302
    other = django_client_factory()
    _ask_session = other.post(
        reverse("accounts:password_reset"), {"identifier": user.username, "channel": "sms"}
    )
    assert _ask_session.status_code == 302
    # the second request superseded the first code; the first session can no longer finish
    assert (
        client.post(
            reverse("accounts:password_reset_new"),
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ).status_code
        == 400
    )
    assert other.post(reverse("accounts:password_reset_code"), {"code": code}).status_code == 400


def test_a_code_is_single_use(client, sent_sms):
    user = EnterpriseUserFactory()
    _ask(client, user.username, channel="sms")
    code = _sms_code(sent_sms)
    client.post(reverse("accounts:password_reset_code"), {"code": code})
    assert _set_password(client).status_code == 302
    _ask_again = client.post(
        reverse("accounts:password_reset"), {"identifier": user.username, "channel": "sms"}
    )
    assert _ask_again.status_code == 302
    # the old code does not open the new request
    assert client.post(reverse("accounts:password_reset_code"), {"code": code}).status_code == 400 or (
        _sms_code(sent_sms) == code  # one chance in a million that the new code equals the old one
    )


# --- no enumeration ---------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_an_unknown_account_gets_the_same_answer_as_a_known_one(client, django_client_factory, channel):
    user = EnterpriseUserFactory()
    known = _ask(client, user.username, channel)
    other = django_client_factory()
    unknown = _ask(other, "nobody-by-this-name", channel)
    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code,
        unknown["Location"],
        unknown.content,
    )
    next_known, next_unknown = client.get(known["Location"]), other.get(unknown["Location"])
    assert next_known.status_code == next_unknown.status_code == 200
    strip = re.compile(rb"[A-Za-z0-9]{64}")  # the CSRF tokens
    assert strip.sub(b"", next_known.content) == strip.sub(b"", next_unknown.content)
    if channel == "sms":  # a code typed for an unknown account is refused like a wrong code
        a = client.post(reverse("accounts:password_reset_code"), {"code": "000000"})
        b = other.post(reverse("accounts:password_reset_code"), {"code": "000000"})
        assert a.status_code == b.status_code == 400
        assert strip.sub(b"", a.content) == strip.sub(b"", b.content)


def _median_seconds(call, times: int = 3) -> float:
    timings = []
    for _ in range(times):
        started = time.monotonic()
        call()
        timings.append(time.monotonic() - started)
    return sorted(timings)[times // 2]


def test_known_and_unknown_accounts_take_the_same_time(client, django_client_factory, settings, mailoutbox):
    settings.PASSWORD_RESET_MIN_RESPONSE_SECONDS = 0.4
    settings.PASSWORD_RESET_ACCOUNT_PER_HOUR = 100
    user = EnterpriseUserFactory()
    # asking for a link
    known = _median_seconds(lambda: (cache.clear(), _ask(client, user.username)))
    unknown = _median_seconds(lambda: (cache.clear(), _ask(client, "no-such-user")))
    assert len(mailoutbox) == 3
    assert min(known, unknown) >= 0.4
    assert abs(known - unknown) < 0.1, (known, unknown)
    # typing a wrong SMS code
    other = django_client_factory()
    _ask(client, user.username, "sms")
    _ask(other, "no-such-user", "sms")
    code_url = reverse("accounts:password_reset_code")
    known = _median_seconds(lambda: client.post(code_url, {"code": "000000"}))
    unknown = _median_seconds(lambda: other.post(code_url, {"code": "000000"}))
    assert min(known, unknown) >= 0.4
    assert abs(known - unknown) < 0.1, (known, unknown)


def test_an_account_without_a_contact_for_the_channel_gets_the_same_answer_and_nothing_is_sent(
    client, mailoutbox, sent_sms
):
    user = EnterpriseUserFactory(email="", phone="")
    assert _ask(client, user.username, "email")["Location"] == reverse("accounts:password_reset_sent")
    assert _ask(client, user.username, "sms")["Location"] == reverse("accounts:password_reset_code")
    assert mailoutbox == [] and sent_sms == []
    assert not PasswordReset.objects.exists()


def test_bad_input_is_refused_in_chinese_not_with_a_500(client):
    response = client.post(reverse("accounts:password_reset"), {"identifier": "", "channel": "fax"})
    assert response.status_code == 400
    assert "必填项" in response.content.decode()
    assert client.get(reverse("accounts:password_reset_code")).status_code == 302  # nothing asked yet


# --- rate limits ------------------------------------------------------------------------------


def test_requests_from_one_address_are_limited_whoever_they_name(client, settings, mailoutbox):
    settings.PASSWORD_RESET_IP_PER_HOUR = 3
    users = EnterpriseUserFactory.create_batch(4)
    answers = [_ask(client, u.username).status_code for u in users]
    assert answers == [302, 302, 302, 429]
    assert len(mailoutbox) == 3
    # an unknown name is refused the same way once the address is over its limit
    refused = _ask(client, "no-such-user")
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()
    # another address is not affected
    assert (
        client.post(
            reverse("accounts:password_reset"),
            {"identifier": users[3].username, "channel": "email"},
            REMOTE_ADDR="10.0.0.9",
        ).status_code
        == 302
    )


def test_an_account_gets_at_most_the_hourly_number_of_sends_whatever_it_is_called(
    client, settings, mailoutbox
):
    settings.PASSWORD_RESET_ACCOUNT_PER_HOUR = 2
    user = EnterpriseUserFactory()
    for identifier in (user.username, user.email, user.email.upper(), user.phone):
        assert _ask(client, identifier).status_code == 302  # the answer never changes
    assert len(mailoutbox) == 2
    assert PasswordReset.objects.filter(user=user).count() == 2


def test_wrong_codes_from_one_address_are_limited(client, settings, sent_sms, monkeypatch):
    from portal.accounts import recovery

    monkeypatch.setattr(recovery, "VERIFY_PER_IP_PER_HOUR", 3)
    _ask(client, "no-such-user", channel="sms")
    statuses = [
        client.post(reverse("accounts:password_reset_code"), {"code": "123456"}).status_code for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]


# --- after the reset -------------------------------------------------------------------------


def test_the_reset_ends_the_other_sessions_and_is_audited(client, django_client_factory, mailoutbox):
    user = EnterpriseUserFactory()
    elsewhere = django_client_factory()
    elsewhere.force_login(user)
    assert elsewhere.get(reverse("accounts:bind")).status_code == 200
    _ask(client, user.username)
    client.get(reverse("accounts:password_reset_link", args=[_link_token(mailoutbox[0])]))
    _set_password(client)
    # the other session is over
    after = elsewhere.get(reverse("accounts:bind"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))
    # and the audit trail names the user, the channel and the address
    entry = LogEntry.objects.filter(object_pk=str(user.pk), additional_data__event="password_reset").get()
    assert entry.actor_id == user.pk
    assert entry.additional_data["channel"] == "email"
    assert entry.remote_addr == "127.0.0.1"
    assert "password" in entry.changes_dict


def test_the_reset_lifts_a_login_lockout(client, mailoutbox):
    user = EnterpriseUserFactory()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-password-1"})
    assert AccessAttempt.objects.filter(username=user.username).exists()
    _ask(client, user.username)
    client.get(reverse("accounts:password_reset_link", args=[_link_token(mailoutbox[0])]))
    _set_password(client)
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert _signs_in(client, user, NEW_PASSWORD)


# --- officials ---------------------------------------------------------------------------------


def test_officials_get_a_notice_to_ask_their_administrator_not_a_link(client, mailoutbox):
    official = OfficialUserFactory()
    response = _ask(client, official.username)
    assert response["Location"] == reverse("accounts:password_reset_sent")
    assert len(mailoutbox) == 1 and "系统管理员" in mailoutbox[0].body
    assert not LINK_RE.search(mailoutbox[0].body)
    assert not PasswordReset.objects.exists()
    # asked again within the hour: no second notice
    _ask(client, official.email)
    assert len(mailoutbox) == 1


def test_an_open_reset_of_a_user_who_became_an_official_is_refused(client, mailoutbox):
    from tests.factories.policies import DepartmentFactory

    user = EnterpriseUserFactory()
    _ask(client, user.username)
    token = _link_token(mailoutbox[0])
    user.departments.add(DepartmentFactory())
    assert client.get(reverse("accounts:password_reset_link", args=[token])).status_code == 400


def test_the_login_page_links_to_the_recovery_page(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_reset") in page and "忘记密码" in page
    assert client.get(reverse("accounts:password_reset")).status_code == 200


def test_the_recovery_pages_are_translated(client):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accounts:password_reset"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Forgot your password" in page and "忘记密码" not in page.split("<main", 1)[-1]


def test_the_reset_does_not_remove_the_second_factor_of_a_user_who_enrolled(client, mailoutbox):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # given an enterprise user who opted in to the second factor
    user = EnterpriseUserFactory()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    # when the password is reset by e-mail
    _ask(client, user.username)
    client.get(reverse("accounts:password_reset_link", args=[_link_token(mailoutbox[0])]))
    assert _set_password(client).status_code == 302
    # then nobody is signed in by the reset, the device is still there, and signing in with the
    # new password still stops at the second step
    assert "_auth_user_id" not in client.session
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert (
        client.post(
            reverse("accounts:login"), {"username": user.username, "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    page = client.get(reverse("accounts:bind"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:otp_verify"))
