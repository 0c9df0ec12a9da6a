"""Who an identity of the identity service is on the portal.

A row maps an identity of one issuer, by its subject (``sub``, stable and never reassigned) or,
until the first sign-in pins the subject, by its e-mail address, to a portal user. Officials'
rows are kept by administrators in the admin; enterprise users' rows are created at their first
sign-in from the credit code claim (``portal.sso.mapping``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SsoIdentity(models.Model):
    issuer = models.CharField(
        _("认证服务标识（issuer）"),
        max_length=255,
        help_text=_("身份认证服务的 issuer，与 OIDC_ISSUER 一致，例如 https://id.example.gov.cn/oidc"),
    )
    subject = models.CharField(
        _("用户标识（sub）"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("认证服务给出的用户唯一标识；留空则按电子邮箱匹配，首次登录时自动记录。"),
    )
    email = models.EmailField(
        _("电子邮箱"),
        blank=True,
        default="",
        help_text=_("未填写用户标识时，按认证服务核验过的电子邮箱匹配。"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_identities",
        verbose_name=_("本平台账号"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("统一身份认证账号关联")
        verbose_name_plural = _("统一身份认证账号关联")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(subject="") & models.Q(email="")),
                name="sso_identity_subject_or_email",
            ),
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                condition=~models.Q(subject=""),
                name="sso_identity_unique_subject",
            ),
            models.UniqueConstraint(
                fields=["issuer", "email"],
                condition=models.Q(subject="") & ~models.Q(email=""),
                name="sso_identity_unique_pending_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject or self.email} @ {self.issuer} → {self.user}"

    def save(self, *args, **kwargs):
        self.issuer = self.issuer.strip().rstrip("/")
        self.subject = self.subject.strip()
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
