"""万人助万企 (包联): officials assigned to enterprises, and the visit log (上门服务)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("包联责任人")
    HELPER = "helper", _("协助人")


class Assignment(models.Model):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="liaisons", verbose_name=_("企业")
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="liaison_assignments",
        verbose_name=_("包联干部"),
    )
    role = models.CharField(
        _("角色"), max_length=8, choices=AssignmentRole.choices, default=AssignmentRole.LEAD
    )
    active = models.BooleanField(_("有效"), default=True)
    assigned_on = models.DateField(_("包联日期"), auto_now_add=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("包联关系")
        verbose_name_plural = _("包联关系")
        constraints = [
            # One active lead per enterprise; an official is assigned to an enterprise once at a time.
            models.UniqueConstraint(
                fields=["enterprise"], condition=models.Q(active=True, role="lead"), name="one_active_lead"
            ),
            models.UniqueConstraint(
                fields=["enterprise", "official"],
                condition=models.Q(active=True),
                name="one_active_assignment",
            ),
        ]
        indexes = [models.Index(fields=["official", "active"], name="liaison_official_active")]

    def __str__(self) -> str:
        return f"{self.official} → {self.enterprise}"


class Visit(models.Model):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="visits", verbose_name=_("企业")
    )
    visited_on = models.DateField(_("走访日期"))
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="visits", verbose_name=_("走访人员")
    )
    discussed = models.TextField(_("交流内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Problems found on the visit go into the same ledger as the enterprise's own cases.
    cases = models.ManyToManyField(
        "appeals.Case", blank=True, related_name="visits", verbose_name=_("发现问题")
    )

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.enterprise}"
