"""The registry of market entities (市场主体库): DESIGN §3.

The profile has a fixed core on the enterprise row and an open set of indicators
(``IndicatorDefinition`` + ``IndicatorValue``) whose values carry a period, a
source and an as-of date. A value that is not there is unknown, never zero.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    GOVERNMENT = "government", _("机关")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    FARMER_COOPERATIVE = "farmer_cooperative", _("农民专业合作社")
    OTHER = "other", _("其他")


class Scale(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Enterprise(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    entity_type = models.CharField(_("主体类型"), max_length=24, choices=EntityType.choices, editable=False)
    # 6-digit administrative division code (GB/T 2260); 410100 when only the city is known.
    district = models.CharField(_("行政区划"), max_length=6, db_index=True)
    # Functional zone (经开区 410171, 高新区 410172, 航空港区 410173, 郑东新区: project code); blank = none.
    zone = models.CharField(_("功能区"), max_length=6, blank=True, default="", db_index=True)
    # GB/T 4754-2017 in one normal form: section letter + 2-4 digits ("C3411", "I65").
    industry = models.CharField(_("国民经济行业"), max_length=5, blank=True, default="", db_index=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True, db_index=True)
    registered_capital = models.DecimalField(
        _("注册资本(元)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    # Derived by 国统字〔2017〕213号 from the latest employees / revenue / total_assets; null = unknown.
    scale = models.CharField(  # noqa: DJ001 - NULL is "unknown", distinct from any tier
        _("企业规模"),
        max_length=8,
        choices=Scale.choices,
        null=True,
        blank=True,
        editable=False,
        db_index=True,
    )
    address = models.CharField(_("地址"), max_length=300, blank=True, default="")
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True, default="")
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True, default="")
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, default="")
    contact_email = models.EmailField(_("联系邮箱"), blank=True, default="")
    # Set when the organisation-code character (position 17, GB 11714) does not check out:
    # the record is kept, but an official must look at it.
    needs_review = models.BooleanField(_("待人工核验"), default=False, db_index=True)
    review_reason = models.CharField(_("核验原因"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("市场主体")
        verbose_name_plural = _("市场主体")
        permissions = [("view_personal_data", _("可查看未脱敏的个人信息"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"


class TagDefinition(models.Model):
    """The tag vocabulary officials maintain (高新技术企业, 专精特新中小企业, …)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    description = models.TextField(_("说明"), blank=True, default="")
    issuer = models.CharField(_("认定部门"), max_length=100, blank=True, default="")
    # Derived (画像) tags are computed by the portal (规上, 科技型, age bands), not recognised by a body.
    derived = models.BooleanField(_("系统画像标签"), default=False)

    class Meta:
        verbose_name = _("资质标签")
        verbose_name_plural = _("资质标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EnterpriseTag(models.Model):
    """A qualification held by an enterprise. ``expires_on`` is the last valid day."""

    # No single-column indexes: the unique (enterprise, tag) and the (tag, enterprise) index cover both.
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tags", db_index=False)
    tag = models.ForeignKey(TagDefinition, on_delete=models.PROTECT, related_name="holders", db_index=False)
    recognized_on = models.DateField(_("认定日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    first_time = models.BooleanField(_("首次认定"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=60, blank=True, default="")

    class Meta:
        verbose_name = _("企业资质")
        verbose_name_plural = _("企业资质")
        constraints = [models.UniqueConstraint(fields=["enterprise", "tag"], name="enterprise_tag_unique")]
        indexes = [models.Index(fields=["tag", "enterprise"], name="enterprisetag_tag_ent")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.tag_id}"


class IndicatorType(models.TextChoices):
    NUMBER = "number", _("数值")
    MONEY = "money", _("金额(元)")
    PERCENT = "percent", _("百分比")
    FLAG = "flag", _("是/否")
    CODE = "code", _("代码")


class Periodicity(models.TextChoices):
    NONE = "none", _("不分期")
    YEAR = "year", _("年度")
    HALF = "half", _("半年")
    QUARTER = "quarter", _("季度")
    MONTH = "month", _("月度")


class IndicatorDefinition(models.Model):
    """An indicator officials define without code changes. Built in: employees, revenue,
    total_assets, rd_expense, tax_paid, insured_employees."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    type = models.CharField(
        _("类型"), max_length=10, choices=IndicatorType.choices, default=IndicatorType.NUMBER
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True, default="")
    periodicity = models.CharField(
        _("周期"), max_length=10, choices=Periodicity.choices, default=Periodicity.YEAR
    )
    description = models.TextField(_("说明"), blank=True, default="")
    builtin = models.BooleanField(_("内置"), default=False, editable=False)

    class Meta:
        verbose_name = _("指标定义")
        verbose_name_plural = _("指标定义")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class IndicatorValue(models.Model):
    """One value of one indicator for one enterprise and one period.

    ``period`` is "" (no periodicity), "2024", "2024H1", "2024Q2" or "2024-05";
    ``period_start``/``period_end`` are derived from it so that SQL can order
    periods and resolve "latest" / "last_year" against an evaluation date.
    Flags are stored as 1/0, codes in ``text_value``.
    """

    # No single-column indexes: unique (enterprise, indicator, period) and (indicator, period, value)
    # lead with each; a million enterprises × 18 values make every extra index count on import.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="indicator_values", db_index=False
    )
    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.PROTECT, related_name="values", db_index=False
    )
    period = models.CharField(_("期间"), max_length=7, blank=True, default="")
    period_start = models.DateField(_("期间起"), null=True, blank=True)
    period_end = models.DateField(_("期间止"), null=True, blank=True)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True, blank=True)
    text_value = models.CharField(_("代码值"), max_length=60, blank=True, default="")
    source = models.CharField(_("数据来源"), max_length=60, blank=True, default="")
    as_of = models.DateField(_("数据日期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "indicator", "period"], name="indicator_value_unique"
            )
        ]
        # The set indexes the compiled criteria read are raw SQL (migration 0004: DESC NULLS LAST
        # keys with INCLUDE, which Django cannot declare); 0006 dropped the narrower one it replaced.

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.indicator_id}:{self.period}={self.value}"
