"""Online applications (在线申报), benefits without application (免申即享) and payments (兑付).

Two ways into the grant ledger:

* an enterprise applies for a policy (``Application``), officials of the policy's
  department review it within the policy's time limit in working days, and an approval
  with an amount creates a ``Grant``;
* for an ``auto_grant`` policy every eligible match gets a ``GrantProposal`` with the
  amount from the award formula and the facts it was computed from frozen; an official
  confirms a batch, which creates the ``Grant``s.

``Grant`` is the active-grant table: unique constraints (not only code) hold "no
enterprise is granted twice for the same policy and period" and "within an
exclusive_group only one grant" (the highest: see ``services.grants``). A grant then
goes through payment instructions (one per attempt) to paid / failed and is finally
confirmed by the enterprise.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}


class DepartmentHead(models.Model):
    """The head (分管负责人) of a department: receives escalations of overdue applications."""

    department = models.ForeignKey("policies.Department", on_delete=models.CASCADE, related_name="heads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="headed_departments"
    )

    class Meta:
        verbose_name = _("部门负责人")
        verbose_name_plural = _("部门负责人")
        constraints = [models.UniqueConstraint(fields=["department", "user"], name="department_head_unique")]

    def __str__(self) -> str:
        return f"{self.department} · {self.user}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    RETURNED = "returned", _("退回补正")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED, ApplicationStatus.RETURNED)
CLOSED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)


class Application(models.Model):
    """One enterprise's application for one policy.

    The processing clock runs in working days (chinese_calendar) while the application
    is with the department and pauses while it is returned for correction:
    ``days_used_before`` holds the working days already used, ``clock_started_on`` the
    day the current running stretch began (null while paused or closed).
    """

    reference = models.CharField(_("申报编号"), max_length=24, unique=True)
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="applications")
    department = models.ForeignKey("policies.Department", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    # What the registry said when the form was filled (自动填充) and what the enterprise supplied.
    prefilled = models.JSONField(_("自动填充数据"), default=dict, blank=True)
    declared = models.JSONField(_("企业填报数据"), default=dict, blank=True)
    amount_requested = models.DecimalField(_("申请金额(元)"), null=True, blank=True, **MONEY)
    amount_approved = models.DecimalField(_("核定金额(元)"), null=True, blank=True, **MONEY)
    # Latest reasons given by an official (return for correction / rejection).
    reasons = models.TextField(_("意见"), blank=True, default="")
    processing_days = models.PositiveSmallIntegerField(_("办理时限(工作日)"))
    days_used_before = models.PositiveSmallIntegerField(_("已用工作日(暂停前)"), default=0)
    clock_started_on = models.DateField(_("计时起点"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True, db_index=True)
    working_days_taken = models.PositiveSmallIntegerField(_("实际用时(工作日)"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("首次提交"))
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超时督办时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("在线申报")
        verbose_name_plural = _("在线申报")
        ordering = ["-submitted_at"]
        constraints = [
            # One open (or approved) application per enterprise and policy.
            models.UniqueConstraint(
                fields=["policy", "enterprise"],
                condition=Q(status__in=["submitted", "accepted", "returned", "approved"]),
                name="application_one_live_per_policy",
            )
        ]
        indexes = [models.Index(fields=["department", "status"], name="application_dept_status")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationDraft(models.Model):
    """暂存: an enterprise's unfinished application for a policy.

    Kept apart from ``Application`` on purpose: no reviewer queue, figure, deadline check,
    escalation, payment or API list reads this table, so a draft cannot leak into any of
    them. It holds only what was typed (declared values, contact, amount as typed); files are
    chosen when submitting. Submitting runs ``application_submit`` with every check (the
    policy open that day included) and deletes the draft."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="application_drafts"
    )
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared = models.JSONField(_("已填内容"), default=dict, blank=True)
    amount_requested = models.CharField(_("申请金额(元)"), max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(_("暂存时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报草稿")
        verbose_name_plural = _("申报草稿")
        ordering = ["-saved_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="application_draft_one_per_policy")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.policy_id}"


ACTION_LABELS = {
    "submitted": _("提交申报"),
    "accepted": _("受理"),
    "returned": _("退回补正"),
    "resubmitted": _("补正后重新提交"),
    "approved": _("审核通过"),
    "rejected": _("不予通过"),
    "withdrawn": _("企业撤回"),
    "escalated": _("超时督办"),
    "granted": _("核定兑现"),
    "cancelled": _("撤销(从高不重复)"),
    "account_confirmed": _("企业确认收款账户"),
    "instructed": _("下达拨付指令"),
    "paid": _("拨付到账"),
    "failed": _("拨付失败"),
    "received": _("企业确认到账"),
    "withdrawn_objection": _("异议成立，撤销兑现"),
    "adjusted": _("异议成立，调整金额"),
    "amount_disputed": _("企业反映金额有误"),
    "amount_corrected": _("金额纠错"),
}


class ApplicationEvent(models.Model):
    """Append-only log of every step: who did what, when. Never updated or deleted."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True, default="")
    to_status = models.CharField(_("新状态"), max_length=12, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("说明"), blank=True, default="")
    data = models.JSONField(_("数据"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("ApplicationEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ApplicationEvent is append-only")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


def _upload_to(instance: "ApplicationFile", filename: str) -> str:
    # A random name: the original name is kept only in the row, never in the path.
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"applications/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class ApplicationFile(models.Model):
    """An uploaded material. Served only through ``views.file_download`` (permission checked)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(
        "policies.Material", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to=_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报材料文件")
        verbose_name_plural = _("申报材料文件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class BankAccount(models.Model):
    """The account a grant is paid into. ``source`` says where it came from (shared data
    from the tax bureau, the enterprise itself); the enterprise confirms it with one click."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="bank_account"
    )
    account_name = models.CharField(_("户名"), max_length=200)
    bank_name = models.CharField(_("开户行"), max_length=200)
    account_number = models.CharField(_("账号"), max_length=40)
    source = models.CharField(_("来源"), max_length=40, blank=True, default="")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("收款账户")
        verbose_name_plural = _("收款账户")

    def __str__(self) -> str:
        return f"{self.account_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        n = self.account_number
        return n if len(n) <= 8 else f"{n[:4]} **** {n[-4:]}"


class GrantBatch(models.Model):
    """An official's confirmation of a set of auto-grant proposals for one policy and period."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="grant_batches")
    period = models.CharField(_("期间"), max_length=7)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"))
    count = models.PositiveIntegerField(_("笔数"), default=0)
    total = models.DecimalField(_("金额合计(元)"), default=0, **MONEY)
    # 信息公示: the list is public from confirmation through ``notice_until`` (inclusive, a
    # working-day count of ``notice_workdays``); null = no notice (0 days, or before notices)
    notice_workdays = models.PositiveSmallIntegerField(_("公示期(工作日)"), default=0)
    notice_until = models.DateField(_("公示截止日"), null=True, blank=True)

    class Meta:
        verbose_name = _("免申即享确认批次")
        verbose_name_plural = _("免申即享确认批次")
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.period} #{self.pk}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    EXCLUDED = "excluded", _("已排除")
    SUPERSEDED = "superseded", _("从高不重复(未享受)")
    UNKNOWN_AMOUNT = "unknown", _("金额待补数据")


class GrantProposal(models.Model):
    """免申即享 proposal: computed automatically from an eligible match, with the facts frozen."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="grant_proposals")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="grant_proposals"
    )
    period = models.CharField(_("期间"), max_length=7)
    exclusive_group = models.CharField(_("从高不重复组"), max_length=60, blank=True, default="")
    match_id = models.BigIntegerField(_("匹配记录"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("政策版本"), default=1)
    amount = models.DecimalField(_("金额(元)"), null=True, blank=True, **MONEY)
    amount_text = models.TextField(_("计算说明"), blank=True, default="")
    # The profile, award formula and evaluation date the amount was computed from.
    facts = models.JSONField(_("计算依据(冻结)"))
    eligible_since = models.DateTimeField(_("符合条件时间"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
        db_index=True,
    )
    excluded_reason = models.TextField(_("排除原因"), blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    batch = models.ForeignKey(
        GrantBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("免申即享拟兑现")
        verbose_name_plural = _("免申即享拟兑现")
        ordering = ["policy", "-amount", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise", "period"], name="grant_proposal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.enterprise_id}/{self.period}: {self.amount}"


class GrantStatus(models.TextChoices):
    AWAITING_ACCOUNT = "awaiting_account", _("待企业确认账户")
    READY = "ready", _("待拨付")
    INSTRUCTED = "instructed", _("已下达拨付指令")
    PAID = "paid", _("已拨付")
    FAILED = "failed", _("拨付失败")
    RECEIVED = "received", _("企业已确认到账")
    CANCELLED = "cancelled", _("已撤销")


class GrantSource(models.TextChoices):
    AUTO = "auto", _("免申即享")
    APPLICATION = "application", _("在线申报")


class Grant(models.Model):
    """The active-grant ledger. The two partial unique constraints make a second grant for the
    same policy and period, or a second grant in the same exclusive group and period,
    impossible at the database level, whatever the code around it does."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="grants")
    department = models.ForeignKey("policies.Department", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="grants")
    district = models.CharField(_("行政区划"), max_length=6, db_index=True)
    period = models.CharField(_("期间"), max_length=7)
    exclusive_group = models.CharField(_("从高不重复组"), max_length=60, blank=True, default="")
    source = models.CharField(_("来源"), max_length=12, choices=GrantSource.choices)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="grant"
    )
    proposal = models.OneToOneField(
        GrantProposal, on_delete=models.PROTECT, null=True, blank=True, related_name="grant"
    )
    amount = models.DecimalField(_("金额(元)"), **MONEY)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=GrantStatus.choices,
        default=GrantStatus.AWAITING_ACCOUNT,
        db_index=True,
    )
    eligible_since = models.DateTimeField(_("符合条件/申报时间"))
    granted_at = models.DateTimeField(_("核定时间"))
    account_confirmed_at = models.DateTimeField(_("账户确认时间"), null=True, blank=True)
    account_snapshot = models.JSONField(_("收款账户(确认时)"), default=dict, blank=True)
    paid_on = models.DateField(_("到账日期"), null=True, blank=True, db_index=True)
    received_confirmed_at = models.DateTimeField(_("企业确认到账时间"), null=True, blank=True)
    # at 到账确认 the enterprise says whether the amount was right (null: not said yet)
    amount_confirmed = models.BooleanField(_("企业确认金额无误"), null=True, blank=True)
    cancelled_reason = models.TextField(_("撤销原因"), blank=True, default="")

    class Meta:
        verbose_name = _("兑现台账")
        verbose_name_plural = _("兑现台账")
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "enterprise", "period"],
                condition=~Q(status="cancelled"),
                name="grant_once_per_policy_period",
            ),
            models.UniqueConstraint(
                fields=["exclusive_group", "enterprise", "period"],
                condition=~Q(status="cancelled") & ~Q(exclusive_group=""),
                name="grant_once_per_exclusive_group_period",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.enterprise_id}/{self.period}: {self.amount}"


class GrantEvent(models.Model):
    """Append-only log of a grant's steps (proposed, confirmed, account confirmed, instructed, paid…)."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("说明"), blank=True, default="")
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("兑现记录")
        verbose_name_plural = _("兑现记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("GrantEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("GrantEvent is append-only")

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class PaymentStatus(models.TextChoices):
    INSTRUCTED = "instructed", _("已下达")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("失败")


class PaymentInstruction(models.Model):
    """One attempt to pay a grant (拨付指令). A failed attempt may be followed by another."""

    reference = models.CharField(_("指令编号"), max_length=24, unique=True)
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("金额(元)"), **MONEY)
    account_name = models.CharField(_("户名"), max_length=200)
    bank_name = models.CharField(_("开户行"), max_length=200)
    account_number = models.CharField(_("账号"), max_length=40)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=PaymentStatus.choices,
        default=PaymentStatus.INSTRUCTED,
        db_index=True,
    )
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True, default="")
    bank_reference = models.CharField(_("银行流水号"), max_length=60, blank=True, default="")
    paid_on = models.DateField(_("到账日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("下达时间"))
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)
    settled_at = models.DateTimeField(_("结果登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("拨付指令")
        verbose_name_plural = _("拨付指令")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one attempt in flight or successful per grant.
            models.UniqueConstraint(
                fields=["grant"],
                condition=Q(status__in=["instructed", "paid"]),
                name="payment_one_live_per_grant",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class ObjectionKind(models.TextChoices):
    OBJECTION = "objection", _("公示异议")
    MISSED = "missed", _("应享未享")
    AMOUNT = "amount", _("金额有误")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("成立")
    REJECTED = "rejected", _("不成立")


class GrantObjection(models.Model):
    """异议处置 and 纠错救济: an objection to an entry of a published 免申即享 list (anyone, no
    account), an enterprise's report that it was left out (应享未享, with evidence), or its
    report at 到账确认 that the amount was wrong. Officials of the policy's department decide
    each with a recorded reason (``services.notice``)."""

    reference = models.CharField(_("受理编号"), max_length=24, unique=True)
    # the anonymous objector's key to the status page (never shown to anyone else)
    access_key = models.CharField(max_length=32)
    kind = models.CharField(_("类型"), max_length=10, choices=ObjectionKind.choices, db_index=True)
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="grant_objections")
    department = models.ForeignKey("policies.Department", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("期间"), max_length=7, blank=True, default="")
    batch = models.ForeignKey(
        GrantBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="objections"
    )
    grant = models.ForeignKey(
        Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="objections"
    )
    # the reporting enterprise (应享未享, 金额有误); null for an anonymous objection
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("异议理由"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True, default="")
    expected_amount = models.DecimalField(_("应享金额(元)"), null=True, blank=True, **MONEY)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN, db_index=True
    )
    decision = models.TextField(_("处理意见"), blank=True, default="")
    outcome_amount = models.DecimalField(_("核定金额(元)"), null=True, blank=True, **MONEY)
    created_grant = models.ForeignKey(
        Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("补享兑现")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), db_index=True)

    class Meta:
        verbose_name = _("异议与纠错")
        verbose_name_plural = _("异议与纠错")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "status"], name="objection_dept_status")]

    def __str__(self) -> str:
        return self.reference


def _evidence_upload_to(instance: "ObjectionFile", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"objections/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class ObjectionFile(models.Model):
    """Evidence for a 应享未享 / 金额有误 report; checked by ``uploads.upload_check``."""

    objection = models.ForeignKey(GrantObjection, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to=_evidence_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
