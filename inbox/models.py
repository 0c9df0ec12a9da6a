"""In-app messages that are not about a policy match: a case was answered, an application
was returned for correction, a grant awaits confirmation. (Policy pushes live in the
matching outbox.) ``key`` makes each message idempotent: a retried step cannot send twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("企业"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("用户"),
    )
    kind = models.CharField(_("类型"), max_length=20)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True, default="")
    link = models.CharField(_("链接"), max_length=300, blank=True, default="")
    key = models.CharField(_("去重键"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "-created_at"], name="inbox_enterprise_recent"),
            models.Index(fields=["user", "-created_at"], name="inbox_user_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=False) | models.Q(user__isnull=False),
                name="inbox_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.title
