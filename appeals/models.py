"""Problems, complaints and suggestions (诉求: 投诉—办理—反馈), 好差评 ratings, and arrears
owed to enterprises (清理拖欠企业账款).

A case moves: submitted → accepted → in_progress → answered → (the enterprise confirms it
resolved, or reopens it) → return visit → closed. Nothing is closed without the
enterprise's confirmation or a recorded return visit. Every step is an append-only
``CaseEvent``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    FINANCE = "finance", _("融资")
    APPROVALS = "approvals", _("审批")
    ARREARS = "arrears", _("账款拖欠")
    POLICY = "policy", _("政策")
    TALENT = "talent", _("人才")
    LAND = "land", _("用地")
    OTHER = "other", _("其他")


class CaseKind(models.TextChoices):
    PROBLEM = "problem", _("问题")
    COMPLAINT = "complaint", _("投诉举报")
    SUGGESTION = "suggestion", _("建议")


class CaseSource(models.TextChoices):
    PORTAL = "portal", _("企业门户")
    API = "api", _("开放接口")
    VISIT = "visit", _("上门走访")
    HOTLINE = "hotline", _("12345热线")
    RATING = "rating", _("差评重办")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    ANSWERED = "answered", _("已答复")
    CONFIRMED = "confirmed", _("企业确认解决")
    REOPENED = "reopened", _("企业重新提起")
    VISITED = "visited", _("已回访")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.REOPENED,
)


class RoutingRule(models.Model):
    """Which department handles a category in a district. Blank district = any district;
    the most specific rule wins, then the lowest priority number."""

    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    district = models.CharField(_("区县"), max_length=6, blank=True, default="")
    department = models.ForeignKey(
        "policies.Department", on_delete=models.PROTECT, verbose_name=_("承办部门")
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100)

    class Meta:
        verbose_name = _("分办规则")
        verbose_name_plural = _("分办规则")
        ordering = ["category", "-district", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["category", "district", "priority"], name="routing_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.district or '*'} → {self.department}"


class CategoryTimeLimit(models.Model):
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(_("办理时限(工作日)"), default=10)
    remind_before = models.PositiveSmallIntegerField(_("提前提醒(工作日)"), default=2)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.working_days}"


class Case(models.Model):
    number = models.CharField(_("编号"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="cases", verbose_name=_("企业")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=CaseKind.choices, default=CaseKind.PROBLEM)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("内容"))
    policy = models.ForeignKey(
        "policies.Policy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("涉及政策"),
    )
    # The application the case is about (its policy is then ``policy``): routes it to the
    # department that handles that application.
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("涉及申报"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=CaseSource.choices, default=CaseSource.PORTAL)
    district = models.CharField(_("区县"), max_length=6, blank=True, default="", db_index=True)
    department = models.ForeignKey(
        "policies.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("承办部门"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("承办人"),
    )
    reply = models.TextField(_("答复"), blank=True, default="")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("原诉求"),
    )
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    reminded = models.BooleanField(_("已提醒"), default=False)
    escalated = models.BooleanField(_("已督办"), default=False)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at"]
        permissions = [("handle_case", _("可办理诉求"))]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseAction(models.TextChoices):
    RAISED = "raised", _("提出")
    UNROUTED = "unrouted", _("待人工分办")
    TRANSFERRED = "transferred", _("转办")
    ACCEPTED = "accepted", _("受理")
    IN_PROGRESS = "in_progress", _("办理")
    ANSWERED = "answered", _("答复")
    CONFIRMED = "confirmed", _("企业确认解决")
    REOPENED = "reopened", _("企业重新提起")
    RETURN_VISIT = "return_visit", _("回访")
    RETURN_VISIT_UNRESOLVED = "return_visit_unresolved", _("回访未解决")
    CLOSED = "closed", _("办结")
    RATED = "rated", _("评价")
    REMINDED = "reminded", _("到期提醒")
    ESCALATED = "escalated", _("超期督办")


class CaseEvent(models.Model):
    """Append-only history of a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=24, choices=CaseAction.choices)
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "policies.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {self.at:%Y-%m-%d %H:%M}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="private/cases/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class ReturnVisit(models.Model):
    """回访: an official checks back with the enterprise after the answer."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话")
        ONSITE = "onsite", _("上门")
        ONLINE = "online", _("线上")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="return_visits")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices, default=Method.PHONE)
    summary = models.TextField(_("回访情况"))
    resolved = models.BooleanField(_("企业表示已解决"), default=True)
    visited_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_method_display()} @ {self.visited_at:%Y-%m-%d %H:%M}"


class RatingScore(models.IntegerChoices):
    """The five grades of 政务服务好差评 (国办发〔2019〕51号), 5 best."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class Rating(models.Model):
    """好差评: one of the five grades and a comment, once per case, after the enterprise
    confirmed the answer solved it or an official recorded a return visit. 1–2 is a bad rating."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("评价"), choices=RatingScore.choices)
    comment = models.TextField(_("评价"), blank=True, default="")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.get_score_display()} ({self.score}/5)"


# --- arrears (清理拖欠企业账款) -------------------------------------------------------


class DebtorType(models.TextChoices):
    GOVERNMENT = "government", _("机关")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    STATE_OWNED = "state_owned", _("国有企业")
    LARGE_ENTERPRISE = "large_enterprise", _("大型企业")
    OTHER = "other", _("其他")


class ArrearsStatus(models.TextChoices):
    REPORTED = "reported", _("已登记")
    VERIFIED = "verified", _("已核实")
    REJECTED = "rejected", _("不予认定")
    PLAN_AGREED = "plan_agreed", _("已约定还款计划")
    REPAYING = "repaying", _("还款中")
    PAID = "paid", _("已还清待确认")
    SETTLED = "settled", _("企业确认结清")


class ArrearsCase(models.Model):
    number = models.CharField(_("编号"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="arrears", verbose_name=_("债权企业")
    )
    debtor_name = models.CharField(_("欠款单位"), max_length=200)
    debtor_type = models.CharField(_("欠款单位类型"), max_length=20, choices=DebtorType.choices)
    debtor_credit_code = models.CharField(_("欠款单位信用代码"), max_length=18, blank=True, default="")
    amount = models.DecimalField(_("欠款金额(元)"), max_digits=16, decimal_places=2)
    contract_no = models.CharField(_("合同编号"), max_length=100, blank=True, default="")
    due_on = models.DateField(_("约定付款日"))
    description = models.TextField(_("情况说明"), blank=True, default="")
    district = models.CharField(_("区县"), max_length=6, blank=True, default="", db_index=True)
    department = models.ForeignKey(
        "policies.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("督办部门"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ArrearsStatus.choices, default=ArrearsStatus.REPORTED, db_index=True
    )
    verified_amount = models.DecimalField(
        _("核实金额(元)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("处理意见"), blank=True, default="")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("拖欠账款")
        verbose_name_plural = _("拖欠账款")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="arrears_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.debtor_name}"


class ArrearsEvidence(models.Model):
    arrears = models.ForeignKey(ArrearsCase, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="private/arrears/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class RepaymentInstallment(models.Model):
    arrears = models.ForeignKey(ArrearsCase, on_delete=models.CASCADE, related_name="plan")
    due_on = models.DateField(_("计划日期"))
    amount = models.DecimalField(_("计划金额(元)"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.amount}"


class Repayment(models.Model):
    arrears = models.ForeignKey(ArrearsCase, on_delete=models.CASCADE, related_name="repayments")
    paid_on = models.DateField(_("还款日期"))
    amount = models.DecimalField(_("还款金额(元)"), max_digits=16, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="repayment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.paid_on}: {self.amount}"


class ArrearsAction(models.TextChoices):
    REPORTED = "reported", _("登记")
    VERIFIED = "verified", _("核实属实")
    REJECTED = "rejected", _("不予认定")
    PLAN_AGREED = "plan_agreed", _("约定还款计划")
    REPAYMENT = "repayment", _("登记还款")
    SETTLED = "settled", _("企业确认结清")


class ArrearsEvent(models.Model):
    arrears = models.ForeignKey(ArrearsCase, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20, choices=ArrearsAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {self.at:%Y-%m-%d %H:%M}"
