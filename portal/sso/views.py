"""Start and callback of the sign-in through the identity service (OIDC authorization code flow
with PKCE). Both answer 404 while single sign-on is not configured; a refusal or an unreachable
identity service is a page in the user's language, never a 500."""

from __future__ import annotations

import logging

import requests
from auditlog.models import LogEntry
from axes.handlers.proxy import AxesProxyHandler
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from portal.client_ip import client_ip

from .backends import PortalOIDCBackend
from .config import BACKEND_PATH, DiscoveryError, is_configured, oidc_setting
from .mapping import SsoRefused

log = logging.getLogger(__name__)


def refused(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    return render(request, "sso/refused.html", {"message": message}, status=status)


def _unavailable(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        _("暂时无法连接统一身份认证服务，请稍后再试，或使用账号密码登录。"),
        status=503,
    )


class SsoStartView(OIDCAuthenticationRequestView):
    """Redirect to the identity service's authorization endpoint (state, nonce and PKCE verifier
    kept in the session)."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library's __init__ reads settings that may not exist

    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)

    def get(self, request):
        if not is_configured():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        except (DiscoveryError, ImproperlyConfigured) as exc:
            log.warning("sso: cannot start: %s", exc)
            return _unavailable(request)
        if not self.OIDC_OP_AUTH_ENDPOINT:
            return _unavailable(request)
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The identity service sends the browser back here with a code: exchange it, verify the
    id_token, map the identity (``mapping.resolve``), check django-axes' lock of the account,
    sign in, audit."""

    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)

    def get(self, request):
        if not is_configured():
            raise Http404
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        entry = states.pop(state, None) if state else None
        if entry is not None:
            request.session["oidc_states"] = states  # single use, even when the answer is a 5xx
            request.session.save()  # (the session middleware saves nothing on those)
        if request.GET.get("error"):
            return refused(request, _("统一身份认证未完成：您取消了授权，或认证服务拒绝了本次登录。"))
        if entry is None or not request.GET.get("code"):
            return refused(request, _("登录请求已失效或不完整，请返回登录页重新登录。"), status=400)
        backend = PortalOIDCBackend()
        try:
            user = backend.authenticate(
                request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
            )
        except SsoRefused as exc:
            log.warning("sso: refused (%s)", exc.reason)
            return refused(request, exc.message)
        except (
            DiscoveryError,
            requests.RequestException,
            SuspiciousOperation,
            ImproperlyConfigured,
            ValueError,
        ) as exc:
            log.warning("sso: sign-in failed: %s", exc)
            return refused(
                request,
                _("统一身份认证登录失败：认证服务无响应或返回的凭证无效，请稍后再试。"),
                status=502,
            )
        if user is None or not user.is_active:
            return refused(request, _("统一身份认证登录失败，请返回登录页重新登录。"))
        # An account that django-axes has locked (password guessing) stays locked here too.
        if not AxesProxyHandler.is_allowed(request, {"username": user.username}):
            from portal.accounts.views import locked_out

            return locked_out(request)
        user.backend = BACKEND_PATH
        self.user = user
        response = self.login_success()
        _audit_sign_in(request, backend.resolution)
        return response


def _audit_sign_in(request: HttpRequest, resolution) -> None:
    identity = resolution.identity
    LogEntry.objects.log_create(
        resolution.user,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes={},
        actor=resolution.user,
        remote_addr=client_ip(request),
        additional_data={
            "event": "sso_login",
            "issuer": identity.issuer,
            "subject": identity.subject,
            "sso_identity": identity.pk,
            "user_created": resolution.created,
            "enterprise": resolution.user.enterprise_id,
        },
    )
