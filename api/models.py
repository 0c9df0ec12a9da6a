"""Credentials of the public API: login tokens for people, scoped keys for platforms.

Neither is stored in the clear: only the SHA-256 of the secret is kept, with a short
prefix to recognise it by. A leaked database therefore leaks no usable credential.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def secret_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class Scope(models.TextChoices):
    ENTERPRISES_READ = "enterprises:read", _("读取企业画像")
    ENTERPRISES_WRITE = "enterprises:write", _("写入企业画像(含批量)")
    INDICATORS_WRITE = "indicators:write", _("推送指标数据")
    MATCHES_READ = "matches:read", _("读取匹配结果")
    POLICIES_WRITE = "policies:write", _("起草和发布政策(限本部门)")
    WEBHOOKS_MANAGE = "webhooks:manage", _("管理 Webhook 订阅")


ALL_SCOPES = [value for value, _label in Scope.choices]


class AuthToken(models.Model):
    """A login token (``POST /api/v1/auth/token/``) for a person; expires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录令牌")
        verbose_name_plural = _("登录令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class ApiKey(models.Model):
    """A revocable, scoped key for an integrating platform. The key is shown once."""

    KEY_PREFIX = "zzk"

    name = models.CharField(_("名称"), max_length=100)
    organisation = models.CharField(_("接入单位"), max_length=200, blank=True, default="")
    prefix = models.CharField(_("前缀"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    # The platform's own account: what its keys create (webhook subscriptions) belongs to it,
    # so that rotating a key keeps them. It has no usable password and no department.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        verbose_name=_("接入平台账号"),
    )
    # A key with policies:write drafts and publishes for this department only.
    department = models.ForeignKey(
        "policies.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属部门(政策写入)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接入密钥")
        verbose_name_plural = _("接入密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @classmethod
    def new_secret(cls) -> tuple[str, str]:
        """(prefix, full key). The full key is ``zzk_<prefix>_<secret>``."""
        prefix = secrets.token_hex(4)
        return prefix, f"{cls.KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
