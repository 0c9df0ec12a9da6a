"""mozilla-django-oidc's backend, taught the portal's rules.

- Settings are read at run time through ``config.oidc_setting`` (discovery for the endpoints
  not given), so an unconfigured portal never touches it.
- The id_token must name the configured issuer and the portal's client id as audience (the
  library checks signature, expiry and nonce only).
- Claims are the id_token's, completed by the userinfo endpoint when there is one (whose
  ``sub`` must be the id_token's).
- The user comes from ``mapping.resolve``; a refusal (``SsoRefused``) reaches the callback view.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import mapping
from .config import expected_issuer, is_configured, normalize_issuer, oidc_setting

_TOKEN_CLAIMS = {"aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "azp", "sid", "jti"}


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # The library reads every setting here; wait until a sign-in needs them.
        self.UserModel = get_user_model()
        self.resolution = None

    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)

    def authenticate(self, request, **kwargs):
        if request is None or not is_configured() or "code" not in request.GET:
            return None  # a password login or an unconfigured portal: not ours
        super().__init__()
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        issuer = expected_issuer()
        if issuer and normalize_issuer(payload.get("iss")) != issuer:
            raise SuspiciousOperation("id_token names another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("id_token is not for this client")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        claims = {k: v for k, v in payload.items() if k not in _TOKEN_CLAIMS}
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if str(userinfo.get("sub")) != str(payload.get("sub")):
                raise SuspiciousOperation("userinfo names another subject")
            claims.update({k: v for k, v in userinfo.items() if k not in _TOKEN_CLAIMS})
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        self.resolution = mapping.resolve(claims, issuer=payload.get("iss") or expected_issuer())
        return self.resolution.user
