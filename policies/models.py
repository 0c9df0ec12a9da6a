"""The policy library (惠企政策库): departments, policies, versions, interpretations,
materials and the publishing workflow (draft → in review → published → expired / withdrawn)."""

import datetime as dt

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.criteria.award_kind import AwardKind, award_kind
from portal.fields import URLField


class DepartmentLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("区县级")


class Department(models.Model):
    """An issuing body (政府资源库)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级部门"),
    )
    level = models.CharField(
        _("层级"), max_length=12, choices=DepartmentLevel.choices, default=DepartmentLevel.MUNICIPAL
    )
    district = models.CharField(_("所属区划"), max_length=6, blank=True, default="")
    contact = models.CharField(_("联系方式"), max_length=200, blank=True, default="")
    website = URLField(_("网站"), blank=True, default="")

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServicePoint(models.Model):
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="service_points")
    name = models.CharField(_("窗口名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    hotline = models.CharField(_("咨询电话"), max_length=40, blank=True, default="")
    hours = models.CharField(_("办公时间"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")

    def __str__(self) -> str:
        return self.name


class PolicyLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("区县级")


class BenefitType(models.TextChoices):
    SUBSIDY = "subsidy", _("资金补贴")
    TAX = "tax", _("税费减免")
    FINANCE = "finance", _("融资支持")
    TALENT = "talent", _("人才支持")
    PREMISES = "premises", _("场地支持")
    SERVICE = "service", _("服务支持")
    HONOUR = "honour", _("荣誉认定")
    OTHER = "other", _("其他")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")
    PUBLISHED = "published", _("已发布")
    EXPIRED = "expired", _("已过期")
    WITHDRAWN = "withdrawn", _("已撤回")


# Where a date falls in a policy's application window (申报期).
WINDOW_UPCOMING = "upcoming"
WINDOW_OPEN = "open"
WINDOW_ENDED = "ended"


def application_window(apply_start: dt.date | None, apply_end: dt.date | None, on: dt.date) -> str:
    """The one rule for the application window: open from ``apply_start`` to ``apply_end``
    inclusive, both days counted in Shanghai's calendar; a missing start or end is open on
    that side. ``policies.selectors.policies_open_q`` is the same rule in SQL."""
    if apply_start is not None and on < apply_start:
        return WINDOW_UPCOMING
    if apply_end is not None and on > apply_end:
        return WINDOW_ENDED
    return WINDOW_OPEN


def application_closed(*, auto_grant: bool, apply_end: dt.date | None, on: dt.date) -> bool:
    """Nothing is left to apply for on ``on``: the window has ended. A 免申即享 policy needs no
    application, so it is never closed (what it grants still counts)."""
    return not auto_grant and application_window(None, apply_end, on) == WINDOW_ENDED


def validity_covers(valid_from: dt.date | None, valid_until: dt.date | None, on: dt.date) -> bool:
    """A policy is in force on ``on`` (``policies.selectors.policies_published_active`` in SQL)."""
    return (valid_from is None or valid_from <= on) and (valid_until is None or valid_until >= on)


class Policy(models.Model):
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True, default="")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="policies", verbose_name=_("牵头部门")
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_policies", verbose_name=_("联合发文部门")
    )
    level = models.CharField(
        _("层级"), max_length=12, choices=PolicyLevel.choices, default=PolicyLevel.MUNICIPAL
    )
    benefit_type = models.CharField(
        _("支持方式"), max_length=12, choices=BenefitType.choices, default=BenefitType.SUBSIDY
    )
    summary = models.TextField(_("摘要"), blank=True, default="")
    body = models.TextField(_("正文"), blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT, db_index=True
    )
    criteria = models.JSONField(_("申报条件"), default=dict, blank=True)
    award = models.JSONField(_("奖补金额"), null=True, blank=True)
    # What the amount expression cannot say about itself (see ``award_kind``).
    award_basis = models.CharField(
        _("金额性质"),
        max_length=12,
        blank=True,
        default="",
        choices=[
            ("", _("按金额表达式（定额、按比例、分档）")),
            (AwardKind.UP_TO.value, _("最高不超过（金额为上限，实际由部门核定）")),
            (AwardKind.COMPETITIVE.value, _("评审择优（经评审获奖方可享受）")),
        ],
        help_text=_("最高不超过、评审择优的金额只显示为「最高可申」，不计入企业「确定可享」合计。"),
    )
    auto_grant = models.BooleanField(_("免申即享"), default=False)
    exclusive_group = models.CharField(_("从高不重复组"), max_length=60, blank=True, default="")
    apply_start = models.DateField(_("申报开始"), null=True, blank=True)
    apply_end = models.DateField(_("申报截止"), null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期止"), null=True, blank=True)
    processing_days = models.PositiveSmallIntegerField(_("办理时限(工作日)"), default=20)
    contact = models.CharField(_("咨询方式"), max_length=200, blank=True, default="")
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("服务窗口")
    )
    source_url = URLField(_("原文链接"), blank=True, default="", max_length=500)
    source_name = models.CharField(_("来源"), max_length=200, blank=True, default="")
    # Incremented whenever a published policy's matching-relevant content is revised.
    version = models.PositiveIntegerField(_("版本"), default=1)
    # Facets derived from the criteria by the services: ["all"] when the policy does not
    # restrict, else the industry / division codes the criteria admit (prefixes).
    industries = models.JSONField(_("适用行业"), default=list, blank=True, editable=False)
    districts = models.JSONField(_("适用区域"), default=list, blank=True, editable=False)
    # jieba-segmented tsvector ('simple' config), PostgreSQL only (GIN index made by a
    # migration there); left NULL on SQLite, where search falls back to icontains.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # The title (A) and summary (B) part of ``search_vector``, written with it: search ranks
    # on this small vector (~0.1 kB) while filtering on the full one through its GIN index,
    # so that ranking does not detoast the full ~4 kB vector of every hit.
    search_rank_vector = SearchVectorField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("起草人"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        ordering = ["-published_at", "-id"]
        permissions = [("review_policy", _("可审核发布政策"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The policy's public page (with the enterprise's verdict when one is signed in)."""
        return reverse("web:policy_detail", args=[self.pk])

    @property
    def match_version(self) -> int:
        """The version matches are recorded against (bumped on matching-relevant revisions)."""
        return self.version

    @property
    def award_kind(self) -> str | None:
        """定额 / 按比例 / 分档 (from the expression) or 最高不超过 / 评审择优 (declared); None: no award."""
        return award_kind(self.award, self.award_basis)

    def window(self, on: dt.date | None = None) -> str:
        """WINDOW_UPCOMING, WINDOW_OPEN or WINDOW_ENDED on ``on`` (Shanghai's today by default)."""
        return application_window(self.apply_start, self.apply_end, on or timezone.localdate())

    def is_open(self, on: dt.date | None = None) -> bool:
        """Open for application on ``on`` (Shanghai's today by default): published and within
        the application window. Every page, the API and the application service ask this."""
        return self.status == PolicyStatus.PUBLISHED and self.window(on) == WINDOW_OPEN

    def is_closed(self, on: dt.date | None = None) -> bool:
        """The application window has ended (never for 免申即享); see ``application_closed``."""
        return application_closed(
            auto_grant=self.auto_grant, apply_end=self.apply_end, on=on or timezone.localdate()
        )


class PolicyVersion(models.Model):
    """An immutable snapshot of a policy after each change: who, when and what changed."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="versions", verbose_name=_("政策")
    )
    number = models.PositiveIntegerField(_("修订序号"))
    match_version = models.PositiveIntegerField(_("匹配版本"), default=1)
    snapshot = models.JSONField(_("快照"))
    changes = models.JSONField(_("变更内容"), default=dict)
    comment = models.CharField(_("说明"), max_length=200, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique")]
        ordering = ["policy", "-number"]

    def __str__(self) -> str:
        return f"{self.policy_id} v{self.number}"


class ExampleVerdict(models.TextChoices):
    ELIGIBLE = "eligible", _("符合")
    POSSIBLE = "possible", _("可能符合（缺数据）")
    NOT_ELIGIBLE = "not_eligible", _("不符合")


class PolicyExample(models.Model):
    """样例企业: a profile with the verdict and amount the official expects, kept with the
    policy as a regression test of its criteria and award (``policies.examples``)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="examples")
    name = models.CharField(_("样例名称"), max_length=100)
    # The §6 profile (as POST /api/v1/eligibility/ takes it): core fields, tags, indicators.
    profile = models.JSONField(_("企业画像"), default=dict)
    as_of = models.DateField(_("评估日期"), default=timezone.localdate)
    expected_verdict = models.CharField(_("预期结果"), max_length=12, choices=ExampleVerdict.choices)
    expected_amount = models.DecimalField(
        _("预期金额(元)"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # Written by ``policies.examples.examples_run_store`` after each save.
    last_run = models.JSONField(_("最近运行结果"), null=True, blank=True, editable=False)
    last_run_at = models.DateTimeField(_("最近运行时间"), null=True, blank=True, editable=False)
    # A reviewer's acknowledgement of the result this example gives (``acknowledged_state`` names it).
    acknowledged_state = models.CharField(max_length=64, blank=True, default="", editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("确认人"),
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("样例企业")
        verbose_name_plural = _("样例企业")
        ordering = ["policy", "position", "id"]

    def __str__(self) -> str:
        return self.name


class InterpretationKind(models.TextChoices):
    TEXT = "text", _("文字解读")
    QA = "qa", _("问答")
    LINK = "link", _("链接")


class Interpretation(models.Model):
    """政策解读."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="interpretations")
    kind = models.CharField(
        _("形式"), max_length=8, choices=InterpretationKind.choices, default=InterpretationKind.TEXT
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True, default="")
    question = models.TextField(_("问题"), blank=True, default="")
    answer = models.TextField(_("回答"), blank=True, default="")
    url = URLField(_("链接"), blank=True, default="")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("政策解读")
        verbose_name_plural = _("政策解读")
        ordering = ["policy", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Material(models.Model):
    """申报材料: what an application must include."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True, default="")
    required = models.BooleanField(_("必需"), default=True)
    # 免证明: fetched from shared data instead of uploaded by the enterprise.
    from_shared_data = models.BooleanField(_("可共享获取(免提交)"), default=False)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["policy", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Attachment(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(_("文件"), upload_to="policy_attachments/%Y/")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.title
