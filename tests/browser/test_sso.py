"""Single sign-on end to end: a real OpenID Connect provider (django-oidc-provider, a separate
Django project in tests/sso_provider run as a second process, its id_tokens signed with an RSA
key made for the run) and the portal under the live server, walked in Chromium: 统一身份认证登录
→ the provider's login page → consent → back on the portal, signed in."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client

from portal.sso.config import BACKEND_PATH, discovery_forget
from portal.sso.models import SsoIdentity
from tests.browser.conftest import shoot
from tests.factories.accounts import OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory, credit_code
from tests.sso_provider import run

pytestmark = pytest.mark.browser

ENTERPRISE_CODE = credit_code(4711)
UNKNOWN_CODE = credit_code(4712)  # valid, but not in the registry
OP_PASSWORD = "op-password-123"
OP_USERS = [
    {"username": "legal-person", "password": OP_PASSWORD, "email": "fa.ren@example.cn", "name": "王法人"},
    {"username": "stranger-firm", "password": OP_PASSWORD, "email": "", "name": "李某"},
    {"username": "zhang.gov", "password": OP_PASSWORD, "email": "Zhang.Wei@zz.gov.example", "name": "张伟"},
    {"username": "nobody", "password": OP_PASSWORD, "email": "nobody@example.cn", "name": "无关联"},
]
OP_CODES = {"legal-person": ENTERPRISE_CODE, "stranger-firm": UNKNOWN_CODE}


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    op = run.start(
        tmp_path_factory.mktemp("oidc-provider"),
        redirect_uri=f"{live_server.url}/accounts/sso/callback/",
        users=OP_USERS,
        credit_codes=OP_CODES,
    )
    yield op
    op.stop()


@pytest.fixture
def sso(provider, settings, transactional_db):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = run.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = run.CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid profile email"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND_PATH]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    discovery_forget()
    yield provider
    discovery_forget()


def _sign_in_at_provider(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next=/")
    page.click("#sso-login")
    # the identity service's own login page
    page.wait_for_selector("#op-username")
    assert "统一身份认证平台" in page.title()
    page.fill("#op-username", username)
    page.fill("#op-password", OP_PASSWORD)
    page.click("#op-login")
    # consent: the portal asks for openid, profile, email
    page.wait_for_selector("input[name=allow]")
    assert "政策找企业" in page.content()
    page.click("input[name=allow]")
    page.wait_for_load_state("networkidle")


def test_enterprise_legal_person_signs_in_and_is_bound_to_its_enterprise(sso, page, live_server):
    enterprise = EnterpriseFactory(credit_code=ENTERPRISE_CODE, name="郑州单点登录测试科技有限公司")
    page.goto(f"{live_server.url}/accounts/login/")
    shoot(page, "sso-login")

    callbacks = []
    page.on("request", lambda r: callbacks.append(r.url) if "/accounts/sso/callback/" in r.url else None)
    _sign_in_at_provider(page, live_server.url, "legal-person")

    assert page.url.startswith(live_server.url), page.url
    assert page.locator(".user-name").inner_text().strip() == "王法人"
    user = get_user_model().objects.get(sso_identities__issuer=sso.issuer)
    assert user.enterprise_id == enterprise.pk
    assert not user.has_usable_password()
    identity = user.sso_identities.get()
    assert identity.subject and identity.last_login_at is not None
    entry = LogEntry.objects.filter(object_pk=str(user.pk), action=LogEntry.Action.ACCESS).latest("timestamp")
    assert entry.actor_id == user.pk
    assert entry.additional_data["event"] == "sso_login" and entry.additional_data["user_created"] is True
    assert LogEntry.objects.filter(
        content_type__model="user", object_pk=str(user.pk), action=LogEntry.Action.CREATE
    ).exists()
    # 我的政策 is open to the enterprise user (bound, no binding step)
    page.goto(f"{live_server.url}/accounts/bind/")
    assert enterprise.name in page.content()

    # the provider's answer replayed (same code and state): refused, nobody signed in anew
    page.context.clear_cookies()
    response = page.goto(callbacks[0])
    assert response.status == 400 and "登录请求已失效" in page.content()
    assert page.locator(".user-name").count() == 0

    # a second sign-in reuses the same user
    page.context.clear_cookies()
    _sign_in_at_provider(page, live_server.url, "legal-person")
    assert page.locator(".user-name").inner_text().strip() == "王法人"
    assert get_user_model().objects.filter(enterprise=enterprise).count() == 1

    # five wrong passwords lock the account (django-axes): single sign-on does not open it either
    guesser = Client()
    for _attempt in range(5):
        guesser.post("/accounts/login/", {"username": user.username, "password": "wrong-password-1"})
    page.context.clear_cookies()
    _sign_in_at_provider(page, live_server.url, "legal-person")
    assert "账号已临时锁定" in page.content()
    assert page.locator(".user-name").count() == 0


def test_mapped_official_signs_in_by_email_and_the_subject_is_pinned(sso, page, live_server):
    official = OfficialUserFactory(username="zhangwei", first_name="张伟(官员)")
    SsoIdentity.objects.create(issuer=sso.issuer, email="zhang.wei@zz.gov.example", user=official)

    _sign_in_at_provider(page, live_server.url, "zhang.gov")

    assert page.url.startswith(live_server.url), page.url
    assert "张伟(官员)" in page.locator(".user-name").inner_text()
    identity = SsoIdentity.objects.get(user=official)
    assert identity.subject  # the provider's sub is recorded: from now on it decides
    assert get_user_model().objects.count() == 1  # nobody was created


@pytest.mark.parametrize(
    ("username", "text"),
    [
        ("stranger-firm", f"统一社会信用代码为 {UNKNOWN_CODE} 的企业尚未在本平台企业库登记"),
        ("nobody", "您的统一身份认证账号尚未关联本平台账号"),
    ],
)
def test_identity_without_enterprise_or_mapping_is_refused_with_a_page(
    sso, page, live_server, username, text
):
    _sign_in_at_provider(page, live_server.url, username)

    assert "无法通过统一身份认证登录" in page.content()
    shoot(page, f"sso-refused-{username}")
    assert text in page.locator(".sso-refusal").inner_text()
    assert page.locator(".user-name").count() == 0
    assert not get_user_model().objects.exists()
