"""The portal's own records: correction requests an enterprise sends to an official, and
when a user last looked at "我的政策" (to mark what is new since then)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Labels are msgids (gettext_noop): translated where they are shown.
CORRECTABLE_FIELDS = {
    "name": gettext_noop("名称"),
    "district": gettext_noop("行政区划"),
    "zone": gettext_noop("功能区"),
    "industry": gettext_noop("国民经济行业"),
    "established_on": gettext_noop("成立日期"),
    "registered_capital": gettext_noop("注册资本"),
    "address": gettext_noop("地址"),
    "legal_representative": gettext_noop("法定代表人"),
    "contact": gettext_noop("联系人及联系方式"),
    "tags": gettext_noop("资质标签"),
    "indicators": gettext_noop("经营指标"),
    "other": gettext_noop("其他"),
}


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


class CorrectionRequest(models.Model):
    """An enterprise user's request to correct its registry profile.

    The registry is changed only by officials or data feeds: this row is what an official
    reviews (in the admin) before changing the profile through the registry's services.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("企业"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="correction_requests",
        verbose_name=_("申请人"),
    )
    field = models.CharField(_("更正项目"), max_length=60)
    current_value = models.CharField(_("现有信息"), max_length=300, blank=True, default="")
    proposed_value = models.CharField(_("应更正为"), max_length=300)
    reason = models.TextField(_("更正理由及依据"), max_length=2000)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.OPEN,
        db_index=True,
    )
    response = models.TextField(_("处理意见"), blank=True, default="")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信息更正申请")
        verbose_name_plural = _("信息更正申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.field}"

    @property
    def field_label(self) -> str:
        return CORRECTABLE_FIELDS.get(self.field, self.field)


class PortalVisit(models.Model):
    """When a user last opened "我的政策". ``previous_at`` moves only when a new visit starts
    (more than ``VISIT_GAP`` after the last one), so reloading a page keeps the "new" marks."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    previous_at = models.DateTimeField(_("上次访问"), null=True, blank=True)
    last_at = models.DateTimeField(_("最近访问"))

    class Meta:
        verbose_name = _("访问记录")
        verbose_name_plural = _("访问记录")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last_at:%Y-%m-%d %H:%M}"


class CalculatorAnswers(models.Model):
    """A screener's answers kept under an unguessable token: the link a visitor keeps or shares
    reopens the results, recomputed on the day's published policies. Anonymous: the facts
    stated (district, industry, amounts, qualifications), no name, no account, no credit code;
    the link carries only the token."""

    token = models.CharField(_("链接令牌"), max_length=43, unique=True)
    profile = models.JSONField(_("所答情况"), default=dict)
    inputs_answered = models.PositiveSmallIntegerField(_("回答项数"), default=0)
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策计算器结果")
        verbose_name_plural = _("政策计算器结果")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"
