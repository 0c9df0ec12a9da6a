"""忘记密码 in Chromium: an enterprise user clicks 忘记密码 on the login page, receives the link by
e-mail (Django's locmem backend, shared with the live server's thread), sets a new password
(a one-class password is refused first) and signs in with it. Screenshots of every step."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from tests.factories.accounts import PASSWORD, EnterpriseUserFactory

from .conftest import login, shoot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "spring-lotus-2046"


@pytest.fixture
def live_user(transactional_db, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url  # links in e-mails are built on SITE_URL
    cache.clear()
    mail.outbox = []
    yield EnterpriseUserFactory(
        username="lixia", email="lixia@example.com", enterprise__name="郑州乙制造有限公司"
    )
    cache.clear()


def test_an_enterprise_user_recovers_the_password_by_email_and_signs_in_with_the_new_one(
    live_user, live_server, page
):
    # given the login page
    page.goto(f"{live_server.url}/accounts/login/")
    shoot(page, "login-with-forgot-link")
    # when she clicks 忘记密码 and asks for a link to her registered address
    page.click("main a:has-text('忘记密码')")
    page.wait_for_url("**/accounts/password/reset/")
    page.fill("main input[name=identifier]", "lixia@example.com")
    assert page.is_checked("main input[name=channel][value=email]")
    shoot(page, "password-reset-request")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/sent/")
    assert "如果该账号存在并登记了邮箱" in page.inner_text("main")
    shoot(page, "password-reset-sent")
    # then one e-mail with a link went to her address
    assert [m.to for m in mail.outbox] == [["lixia@example.com"]]
    link = re.search(r"https?://\S+/accounts/password/reset/link/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(live_server.url)
    # when she opens it, the address bar no longer shows the secret
    page.goto(link)
    page.wait_for_url("**/accounts/password/reset/new/")
    assert "lixia" in page.inner_text("main")
    # a password of one character class is refused with the reason
    page.fill("main input[name=new_password1]", "aaaaaaaaaaaa")
    page.fill("main input[name=new_password2]", "aaaaaaaaaaaa")
    page.click("main form button[type=submit]")
    assert "不能只由一类字符组成" in page.inner_text("main")
    shoot(page, "password-reset-refused")
    page.fill("main input[name=new_password1]", NEW_PASSWORD)
    page.fill("main input[name=new_password2]", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/done/")
    shoot(page, "password-reset-done")
    # then the link is spent ...
    page.goto(link)
    assert "链接无效或已过期" in page.inner_text("main")
    shoot(page, "password-reset-invalid")
    # ... the old password no longer opens the account, the new one does
    login(page, live_server.url, "lixia", PASSWORD)
    assert "用户名或密码错误" in page.inner_text("main")
    login(page, live_server.url, "lixia", NEW_PASSWORD)
    assert page.locator("header .user-name").inner_text() == "lixia"
    page.goto(f"{live_server.url}/my/policies/")
    assert "/accounts/login/" not in page.url


def test_the_sms_code_page_at_phone_width(live_user, live_server, page, settings):
    settings.SMS_BACKEND = "tests.accounts.conftest.RecordingSmsBackend"
    from tests.accounts.conftest import SENT_SMS

    SENT_SMS.clear()
    page.goto(f"{live_server.url}/accounts/password/reset/")
    page.fill("main input[name=identifier]", "lixia")
    page.check("main input[name=channel][value=sms]")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/code/")
    code = re.search(r"验证码：(\d{6})", SENT_SMS[-1][1]).group(1)
    shoot(page, "password-reset-code")
    page.fill("main input[name=code]", code)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/password/reset/new/")
    shoot(page, "password-reset-new")
