"""Single sign-on without a browser: off by default, refusals as pages (never a 500), the
identity mapping's rules, and the id_token checks the library leaves out (issuer, audience).
The sign-in through a real provider is tests/browser/test_sso.py."""

from __future__ import annotations

import time

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation

from portal.sso.backends import PortalOIDCBackend
from portal.sso.config import BACKEND_PATH, discovery_forget, is_configured
from portal.sso.mapping import SsoRefused, resolve
from portal.sso.models import SsoIdentity
from tests.factories.accounts import PASSWORD, EnterpriseUserFactory, OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory, credit_code

pytestmark = pytest.mark.django_db
ISSUER = "https://id.example.gov.cn/oidc"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    discovery_forget()
    yield
    discovery_forget()


@pytest.fixture
def configured(settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/oidc"  # nothing listens there
    settings.OIDC_RP_CLIENT_ID = "portal"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND_PATH]
    return settings


def test_off_by_default_no_button_no_backend_urls_404(client, settings):
    assert not is_configured()
    assert BACKEND_PATH not in settings.AUTHENTICATION_BACKENDS
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "统一身份认证登录" not in page.content.decode()
    assert client.get("/accounts/sso/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_configured_shows_button_and_password_login_still_works(client, configured):
    user = EnterpriseUserFactory()
    page = client.get("/accounts/login/?next=/applications/mine/")
    html = page.content.decode()
    assert "统一身份认证登录" in html
    assert 'href="/accounts/sso/?next=/applications/mine/"' in html
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_unreachable_identity_service_is_a_page_not_a_500(client, configured):
    response = client.get("/accounts/sso/")
    assert response.status_code == 503
    assert "暂时无法连接统一身份认证服务" in response.content.decode()


def test_callback_without_a_pending_request_or_after_a_refusal(client, configured):
    stale = client.get("/accounts/sso/callback/?code=abc&state=forged")
    assert stale.status_code == 400 and "登录请求已失效" in stale.content.decode()
    declined = client.get("/accounts/sso/callback/?error=access_denied&state=forged")
    assert declined.status_code == 403 and "您取消了授权" in declined.content.decode()


def test_refusal_page_in_english(client, configured):
    client.cookies.load({"django_language": "en"})  # the language switch
    response = client.get("/accounts/sso/callback/?code=abc&state=forged")
    html = response.content.decode()
    assert "Cannot sign in with the unified identity service" in html
    assert "The sign-in request has expired" in html
    assert "Unified identity sign-in" in client.get("/accounts/login/").content.decode()


# --- mapping -------------------------------------------------------------------------------


def test_credit_code_claim_creates_an_enterprise_user_once():
    enterprise = EnterpriseFactory()
    claims = {"sub": "legal-1", "credit_code": f" {enterprise.credit_code.lower()} ", "name": "王法人"}
    first = resolve(claims, issuer=ISSUER + "/")
    assert first.created and first.user.enterprise_id == enterprise.pk
    assert not first.user.has_usable_password() and not first.user.is_staff
    again = resolve(claims, issuer=ISSUER)
    assert not again.created and again.user.pk == first.user.pk
    assert SsoIdentity.objects.get().issuer == ISSUER


@pytest.mark.parametrize(
    ("code", "reason"),
    [("91410100MA12345678", "credit_code_invalid"), (credit_code(999_001), "enterprise_unknown")],
)
def test_bad_or_unknown_credit_code_is_refused(code, reason):
    with pytest.raises(SsoRefused) as refused:
        resolve({"sub": "x", "credit_code": code}, issuer=ISSUER)
    assert refused.value.reason == reason
    assert not get_user_model().objects.exists()


def test_identity_without_code_or_mapping_is_refused():
    with pytest.raises(SsoRefused) as refused:
        resolve({"sub": "someone", "email": "a@b.cn"}, issuer=ISSUER)
    assert refused.value.reason == "no_mapping"


def test_official_mapping_by_subject_and_by_verified_email_only():
    official = OfficialUserFactory()
    SsoIdentity.objects.create(issuer=ISSUER, subject="gov-7", user=official)
    assert resolve({"sub": "gov-7"}, issuer=ISSUER).user == official

    other = OfficialUserFactory()
    SsoIdentity.objects.create(issuer=ISSUER, email="Li.Si@zz.gov.example", user=other)
    with pytest.raises(SsoRefused):  # an unverified address maps nobody
        resolve({"sub": "gov-8", "email": "li.si@zz.gov.example", "email_verified": False}, issuer=ISSUER)
    with pytest.raises(SsoRefused):  # another issuer's identity is not this one
        resolve({"sub": "gov-8", "email": "li.si@zz.gov.example"}, issuer="https://evil.example")
    assert resolve({"sub": "gov-8", "email": "LI.SI@zz.gov.example"}, issuer=ISSUER).user == other
    assert SsoIdentity.objects.get(user=other).subject == "gov-8"
    # pinned: the address alone no longer opens the account for another subject
    with pytest.raises(SsoRefused):
        resolve({"sub": "gov-9", "email": "li.si@zz.gov.example"}, issuer=ISSUER)


def test_inactive_user_and_enterprise_mismatch_are_refused():
    user = EnterpriseUserFactory()
    SsoIdentity.objects.create(issuer=ISSUER, subject="ent-1", user=user)
    elsewhere = EnterpriseFactory()
    with pytest.raises(SsoRefused) as refused:
        resolve({"sub": "ent-1", "credit_code": elsewhere.credit_code}, issuer=ISSUER)
    assert refused.value.reason == "enterprise_mismatch"
    user.is_active = False
    user.save()
    with pytest.raises(SsoRefused) as refused:
        resolve({"sub": "ent-1"}, issuer=ISSUER)
    assert refused.value.reason == "user_inactive"


def test_a_mapping_needs_a_subject_or_an_email():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        SsoIdentity.objects.create(issuer=ISSUER, user=OfficialUserFactory())


# --- id_token checks -------------------------------------------------------------------------


def _token(**claims):
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "portal", "sub": "s", "iat": now, "exp": now + 60, "nonce": "n"} | claims
    return jwt.encode(body, "secret-of-at-least-32-bytes-for-hs256!", algorithm="HS256")


@pytest.fixture
def hs256_backend(settings):
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "portal"
    settings.OIDC_RP_CLIENT_SECRET = "secret-of-at-least-32-bytes-for-hs256!"
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://id.example.gov.cn/oidc/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://id.example.gov.cn/oidc/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://id.example.gov.cn/oidc/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://id.example.gov.cn/oidc/jwks"
    backend = PortalOIDCBackend()
    super(PortalOIDCBackend, backend).__init__()
    return backend


def test_id_token_must_name_the_issuer_and_the_client(hs256_backend):
    assert hs256_backend.verify_token(_token(), nonce="n")["sub"] == "s"
    assert hs256_backend.verify_token(_token(aud=["other", "portal"]), nonce="n")["sub"] == "s"
    with pytest.raises(SuspiciousOperation):
        hs256_backend.verify_token(_token(iss="https://evil.example"), nonce="n")
    with pytest.raises(SuspiciousOperation):
        hs256_backend.verify_token(_token(aud="another-client"), nonce="n")
    with pytest.raises(SuspiciousOperation):
        hs256_backend.verify_token(_token(), nonce="replayed")


# --- settings and admin ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({}, False),
        ({"OIDC_ISSUER": "https://id.example.gov.cn/oidc", "OIDC_CLIENT_ID": "p"}, False),  # no secret
        (
            {
                "OIDC_ISSUER": "https://id.example.gov.cn/oidc",
                "OIDC_CLIENT_ID": "p",
                "OIDC_CLIENT_SECRET": "s",
            },
            True,
        ),
        (
            {
                "OIDC_CLIENT_ID": "p",
                "OIDC_CLIENT_SECRET": "s",
                "OIDC_AUTHORIZATION_ENDPOINT": "https://id.example.gov.cn/authorize",
                "OIDC_TOKEN_ENDPOINT": "https://id.example.gov.cn/token",
            },
            True,
        ),
    ],
)
def test_the_environment_switches_the_backend_on(env, enabled):
    import os
    import subprocess
    import sys

    from django.conf import settings

    clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.AUTHENTICATION_BACKENDS)"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (BACKEND_PATH in out) is enabled


def test_admin_mapping_form_needs_subject_or_email_and_offers_the_issuer(settings):
    from portal.sso.admin import SsoIdentityAdmin, SsoIdentityForm

    settings.OIDC_ISSUER = ISSUER
    official = OfficialUserFactory()
    assert SsoIdentityForm().fields["issuer"].initial == ISSUER
    empty = SsoIdentityForm(data={"issuer": ISSUER, "user": official.pk})
    assert not empty.is_valid() and "请填写用户标识（sub）或电子邮箱" in str(empty.errors)
    form = SsoIdentityForm(data={"issuer": ISSUER + "/", "email": "Wang@ZZ.gov.example", "user": official.pk})
    assert form.is_valid(), form.errors
    row = form.save()
    assert (row.issuer, row.email) == (ISSUER, "wang@zz.gov.example")
    from django.contrib import admin

    assert str(SsoIdentityAdmin(SsoIdentity, admin.site).kind(row)) == "政府工作人员"


def test_a_concurrent_first_sign_in_finds_the_row_the_other_created(monkeypatch):
    """The first sign-in of one identity twice at once: the loser's insert hits the unique
    constraint, and it signs in as the winner's user instead of failing."""
    from django.db import IntegrityError

    from portal.sso import mapping

    enterprise = EnterpriseFactory()
    claims = {"sub": "legal-race", "credit_code": enterprise.credit_code}
    real = mapping._resolve_once
    calls = []

    def racing(claims, *, issuer):
        calls.append(1)
        if len(calls) == 1:
            real(claims, issuer=issuer)  # the other request commits its user and row first
            raise IntegrityError("duplicate key value violates unique constraint")  # ours collides
        return real(claims, issuer=issuer)

    monkeypatch.setattr(mapping, "_resolve_once", racing)
    result = mapping.resolve(claims, issuer=ISSUER)
    assert len(calls) == 2 and not result.created
    assert result.user.enterprise_id == enterprise.pk
    assert SsoIdentity.objects.filter(subject="legal-race").count() == 1


@pytest.mark.parametrize(("backend", "sent_to_change"), [(BACKEND_PATH, False), (None, True)])
def test_an_sso_session_is_not_sent_to_change_a_password_it_did_not_use(rf, backend, sent_to_change):
    """An official whose account an administrator created (initial password, to be changed at
    the first password login) and who signs in through single sign-on is not stopped at the
    password change page: that session used no password. A password session still is."""
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from portal.accounts.middleware import PasswordMaxAgeMiddleware
    from portal.accounts.models import PASSWORD_MUST_CHANGE

    official = OfficialUserFactory()
    official.password_changed_at = PASSWORD_MUST_CHANGE
    official.save()
    request = rf.get("/")
    request.user = official
    request.session = SessionStore()
    request.session[BACKEND_SESSION_KEY] = backend or "django.contrib.auth.backends.ModelBackend"
    request._messages = FallbackStorage(request)
    response = PasswordMaxAgeMiddleware(lambda r: HttpResponse("page"))(request)
    assert (response.status_code == 302 and "/accounts/password/" in response["Location"]) is sent_to_change


def test_identity_service_down_at_the_callback_is_a_page_not_a_500(client, configured):
    session = client.session
    session["oidc_states"] = {"s1": {"nonce": "n1", "code_verifier": "v" * 64}}
    session.save()
    response = client.get("/accounts/sso/callback/?code=abc&state=s1")
    assert response.status_code == 502
    assert "认证服务无响应或返回的凭证无效" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # the state was used up: the same answer again is a stale request
    again = client.get("/accounts/sso/callback/?code=abc&state=s1")
    assert again.status_code == 400
