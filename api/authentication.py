"""``Authorization: Token <token>`` for people, ``Authorization: Api-Key <key>`` for platforms.

A key also works after ``Token`` (it is recognised by its ``zzk_`` form), so that a client
library that only knows one scheme can use both.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.models import ApiKey, AuthToken, secret_hash
from api.services import credential_touch


class Integrator:
    """The principal behind an API key: not a person, no department, no enterprise."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    is_official = False
    enterprise = None
    enterprise_id = None

    def __init__(self, key: ApiKey):
        self.api_key = key
        self.pk = f"apikey-{key.pk}"
        self.id = self.pk
        self.username = f"apikey:{key.prefix}"

    def __str__(self) -> str:
        return f"{self.api_key.name} ({self.username})"

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def is_official_of(self, department_id) -> bool:
        return False

    def has_scope(self, scope: str) -> bool:
        return self.api_key.has_scope(scope)


def _credential(request) -> tuple[str, str] | None:
    header = authentication.get_authorization_header(request).split()
    if not header:
        return None
    scheme = header[0].lower()
    if scheme not in (b"token", b"api-key", b"bearer"):
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed(_("认证头格式错误：应为 “Token <令牌>” 或 “Api-Key <密钥>”。"))
    try:
        raw = header[1].decode()
    except UnicodeError as exc:
        raise exceptions.AuthenticationFailed(_("认证头包含非法字符。")) from exc
    if scheme == b"api-key" or raw.startswith(ApiKey.KEY_PREFIX + "_"):
        return "key", raw
    return "token", raw


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        found = _credential(request)
        if not found or found[0] != "key":
            return None
        key = (
            ApiKey.objects.filter(key_hash=secret_hash(found[1]))
            .select_related("department", "account")
            .first()
        )
        if key is None or not key.active:
            raise exceptions.AuthenticationFailed(_("接入密钥无效、已过期或已吊销。"))
        credential_touch(obj=key)
        return Integrator(key), key

    def authenticate_header(self, request):
        return self.keyword


class HashedTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        found = _credential(request)
        if not found or found[0] != "token":
            return None
        token = AuthToken.objects.filter(key_hash=secret_hash(found[1])).select_related("user").first()
        if token is None or token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期，请重新获取。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用。"))
        credential_touch(obj=token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <令牌>`：由 `POST /api/v1/auth/token/` 获取，有效期 12 小时。",
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key zzk_…`：接入平台的密钥，按权限范围(scope)授权，可吊销。",
        }
