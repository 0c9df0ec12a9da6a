"""The second factor in Chromium: an official's first sign-in enrols an authenticator (the
secret read off the page, the code computed from it as a phone app would), the recovery codes
are shown once, and the next sign-in asks for the code. Screenshots of each step (desktop and
360 px phone)."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP

from portal.accounts.second_factor import key_from_base32
from tests.factories.accounts import PASSWORD, OfficialUserFactory

from .conftest import shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_official(transactional_db, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return OfficialUserFactory(username="zhaoliu")


def _password(page, base_url, username, next_url="/staff/dashboard/"):
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("main input[name=username]", username)
    page.fill("main input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_an_official_enrols_at_the_first_sign_in_and_then_types_the_code(live_official, live_server, page):
    base = live_server.url
    # when the official signs in with the password for the first time
    _password(page, base, "zhaoliu")
    # then the enrolment page shows the QR code and the secret, not the dashboard
    assert "/accounts/2fa/setup/" in page.url
    assert page.locator("main figure.otp-qr svg").is_visible()
    shoot(page, "second-factor-enrol")
    secret = page.locator("#otp-secret").inner_text().strip()
    app = TOTP(bytes.fromhex(key_from_base32(secret)))  # what the phone app computes
    page.fill("main input[name=code]", f"{app.token():06d}")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shoot(page, "second-factor-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/staff/dashboard/"

    # when the official signs in again in a new browser session, a recovery code opens it
    page.context.clear_cookies()
    _password(page, base, "zhaoliu")
    assert "/accounts/2fa/" in page.url
    shoot(page, "second-factor-code")
    page.fill("main input[name=code]", "wrong1")
    page.click("main form button[type=submit] >> nth=0")
    assert page.locator("main .error").first.is_visible()
    page.fill("main input[name=code]", codes[0])
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/staff/dashboard/"
