"""Serializers validate and shape; they never decide domain questions (the services do)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.models import ApiKey
from enterprises.models import Enterprise, IndicatorDefinition, TagDefinition
from policies.models import BenefitType, Department, Policy, PolicyLevel

MAX_BULK = 1000


class StrictCharField(serializers.CharField):
    """A JSON number or boolean where text is expected is an error, not silently a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = serializers.ModelSerializer.serializer_field_mapping | {
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
    }


# --- auth -----------------------------------------------------------------------
class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(label=_("用户名"), max_length=150)
    password = StrictCharField(label=_("密码"), max_length=256, style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = StrictCharField(label=_("令牌"))
    expires_at = serializers.DateTimeField(label=_("过期时间"))


class ApiKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["name", "organisation", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"]
        read_only_fields = fields


# --- reference data -------------------------------------------------------------
class DepartmentSerializer(StrictModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False, allow_null=True, label=_("上级部门")
    )
    # Plain strings in the schema: "" (none given) is not a URL.
    website = StrictCharField(max_length=200, required=False, allow_blank=True, validators=[URLValidator()],
                                    label=_("网站"))

    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "level", "parent", "contact", "website"]


class TagSerializer(StrictModelSerializer):
    class Meta:
        model = TagDefinition
        fields = ["name", "description", "issuer", "derived"]
        read_only_fields = ["derived"]


class IndicatorSerializer(StrictModelSerializer):
    class Meta:
        model = IndicatorDefinition
        fields = ["code", "name", "type", "unit", "periodicity", "description", "builtin"]
        read_only_fields = ["builtin"]


# --- policies ---------------------------------------------------------------------
class MaterialSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200, label=_("材料名称"))
    description = StrictCharField(required=False, allow_blank=True, default="", label=_("说明"))
    required = serializers.BooleanField(required=False, default=True, label=_("必需"))
    from_shared_data = serializers.BooleanField(required=False, default=False, label=_("可共享获取(免提交)"))

    def to_internal_value(self, data):
        if isinstance(data, str):  # a bare name is a required material
            data = {"name": data}
        return super().to_internal_value(data)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "政策",
            response_only=True,
            value={
                "id": 12,
                "title": "郑州市高新技术企业认定奖励",
                "doc_number": "郑政〔2024〕5号",
                "summary": "对首次认定的高新技术企业给予一次性奖励",
                "body": "……",
                "department": "zz-kjj",
                "department_name": "郑州市科学技术局",
                "level": "municipal",
                "benefit_type": "subsidy",
                "status": "published",
                "criteria": {"all": [{"field": "district", "op": "within", "value": ["4101"]}]},
                "criteria_text": "注册地在郑州市",
                "award": {"amount": "300000"},
                "auto_grant": False,
                "exclusive_group": "",
                "apply_start": "2026-03-01",
                "apply_end": "2026-12-31",
                "open": True,
                "version": 1,
                "published_at": "2026-03-01T09:00:00+08:00",
                "materials": [{"name": "高新技术企业证书", "description": "", "required": True, "from_shared_data": True}],
                "snippet": "对首次认定的<mark>高新技术企业</mark>给予一次性奖励",
            },
        )
    ]
)
class PolicySerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    source_url = StrictCharField(read_only=True, label=_("原文链接"))
    department_name = StrictCharField(source="department.name", read_only=True)
    criteria_text = serializers.SerializerMethodField()
    open = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()

    class Meta:
        model = Policy
        fields = [
            "id", "title", "doc_number", "summary", "body", "department", "department_name", "level",
            "benefit_type", "status", "criteria", "criteria_text", "award", "auto_grant", "exclusive_group",
            "apply_start", "apply_end", "valid_from", "valid_until", "open", "version", "published_at",
            "contact", "source_url", "materials", "snippet",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_criteria_text(self, policy: Policy) -> str:
        from policies.rules import criteria_text

        tree = policy.criteria or {}
        language = self.context.get("language", "zh-hans")
        if not tree or tree == {"all": []}:
            return criteria_text(tree, language=language)
        from matching import criteria

        # One vocabulary per response (indicator names for the rendering), not one per policy.
        vocabulary = self.context.get("vocabulary")
        if vocabulary is None:
            vocabulary = self.context["vocabulary"] = criteria.vocabulary_load()
        try:
            return criteria.render(tree, language=language, vocabulary=vocabulary)
        except Exception:  # noqa: BLE001 - a stored tree that no longer renders is shown raw, as on the pages
            return str(tree)

    def get_open(self, policy: Policy) -> bool:
        return policy.is_open(self.context.get("today"))

    @extend_schema_field(MaterialSerializer(many=True))
    def get_materials(self, policy: Policy) -> list[dict]:
        return [
            {"name": m.name, "description": m.description, "required": m.required, "from_shared_data": m.from_shared_data}
            for m in policy.materials.all()
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_snippet(self, policy: Policy) -> str:
        return getattr(policy, "snippet", "") or ""


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "起草政策",
            request_only=True,
            value={
                "title": "郑州市专精特新中小企业奖励",
                "summary": "对新认定的专精特新中小企业给予奖励",
                "body": "为支持中小企业专业化发展……",
                "department": "zz-gxj",
                "level": "municipal",
                "benefit_type": "subsidy",
                "criteria": {
                    "all": [
                        {"field": "district", "op": "within", "value": ["4101"]},
                        {"field": "tags", "op": "has", "value": "专精特新中小企业", "recognized": "this_year"},
                    ]
                },
                "award": {"amount": "200000"},
                "auto_grant": True,
                "exclusive_group": "",
                "apply_start": "2026-04-01",
                "apply_end": "2026-10-31",
                "materials": ["营业执照", {"name": "认定文件", "required": True}],
            },
        )
    ]
)
class PolicyListSerializer(PolicySerializer):
    """A list row: everything but the full text (``GET policies/{id}/`` has the body)."""

    class Meta(PolicySerializer.Meta):
        fields = [f for f in PolicySerializer.Meta.fields if f != "body"]
        read_only_fields = fields


class PolicyWriteSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200, label=_("标题"))
    doc_number = StrictCharField(max_length=100, required=False, allow_blank=True, label=_("文号"))
    summary = StrictCharField(required=False, allow_blank=True, label=_("摘要"))
    body = StrictCharField(required=False, allow_blank=True, label=_("正文"))
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all(), label=_("牵头部门"))
    level = serializers.ChoiceField(choices=PolicyLevel.choices, required=False, label=_("层级"))
    benefit_type = serializers.ChoiceField(choices=BenefitType.choices, required=False, label=_("支持方式"))
    criteria = serializers.JSONField(required=False, label=_("申报条件"))
    award = serializers.JSONField(required=False, allow_null=True, label=_("奖补金额"))
    auto_grant = serializers.BooleanField(required=False, label=_("免申即享"))
    exclusive_group = StrictCharField(max_length=60, required=False, allow_blank=True, label=_("从高不重复组"))
    apply_start = serializers.DateField(required=False, allow_null=True, label=_("申报开始"))
    apply_end = serializers.DateField(required=False, allow_null=True, label=_("申报截止"))
    valid_from = serializers.DateField(required=False, allow_null=True, label=_("有效期起"))
    valid_until = serializers.DateField(required=False, allow_null=True, label=_("有效期止"))
    contact = StrictCharField(max_length=200, required=False, allow_blank=True, label=_("咨询方式"))
    source_url = StrictCharField(max_length=500, required=False, allow_blank=True, validators=[URLValidator()],
                                       label=_("原文链接"))
    materials = MaterialSerializer(many=True, required=False, label=_("申报材料"))

    def validate_criteria(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("申报条件必须是 JSON 对象。"))
        return value

    def validate_award(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError(_("奖补金额必须是 JSON 对象或 null。"))
        return value

    def validate(self, attrs):
        start = attrs.get("apply_start", getattr(self.instance, "apply_start", None))
        end = attrs.get("apply_end", getattr(self.instance, "apply_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"apply_end": [_("申报截止日期不能早于开始日期。")]})
        return attrs


class ReachRowSerializer(serializers.Serializer):
    code = StrictCharField(label=_("代码"))
    name = StrictCharField(label=_("名称"))
    eligible = serializers.IntegerField(label=_("符合"))
    possible = serializers.IntegerField(label=_("可能符合"))


class ReachSerializer(serializers.Serializer):
    as_of = serializers.DateField(label=_("测算日期"))
    count = serializers.IntegerField(label=_("可触达企业数(符合+可能符合)"))
    eligible = serializers.IntegerField(label=_("符合"))
    possible = serializers.IntegerField(label=_("可能符合"))
    by_district = ReachRowSerializer(many=True, label=_("按区县"))
    by_industry = ReachRowSerializer(many=True, label=_("按行业门类"))
    total_award = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, label=_("奖补总额(元)"))
    award_unknown = serializers.IntegerField(label=_("金额未知的符合企业数"))


# --- enterprises -------------------------------------------------------------------
class TagValueSerializer(serializers.Serializer):
    name = StrictCharField(max_length=60, label=_("资质名称"))
    recognized_on = serializers.DateField(required=False, allow_null=True, label=_("认定日期"))
    expires_on = serializers.DateField(required=False, allow_null=True, label=_("有效期至"))
    first_time = serializers.BooleanField(required=False, allow_null=True, label=_("首次认定"))

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = {"name": data}
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "object", "additionalProperties": {"type": "string", "nullable": True}},
        "example": {"revenue": {"2024": "12000000"}, "employees": {"2024": "85"}},
    }
)
class IndicatorsField(serializers.JSONField):
    """``{"revenue": {"2024": "12000000"}}``: indicator code → period → value (a string, to keep decimals exact)."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("指标必须是 {指标代码: {期间: 数值}} 形式的对象。"))
        for code, periods in data.items():
            if not isinstance(periods, dict) or not all(
                v is None or (not isinstance(v, bool) and isinstance(v, str | int | float)) for v in periods.values()
            ):
                raise serializers.ValidationError({code: [_("应为 {期间: 数值} 形式的对象。")]})
        return data


ENTERPRISE_EXAMPLE = {
    "credit_code": "91410100MA44XXXXXX",
    "name": "郑州示例智能装备有限公司",
    "entity_type": "enterprise",
    "district": "410122",
    "zone": "410171",
    "industry": "C3411",
    "established_on": "2018-06-01",
    "registered_capital": "5000000.00",
    "scale": "small",
    "age_years": 8,
    "address": "郑州市经开区第八大街 88 号",
    "legal_representative": "张三",
    "contact_name": "李四",
    "contact_phone": "138****5678",
    "contact_email": "l***@example.com",
    "needs_review": False,
    "tags": [{"name": "高新技术企业", "recognized_on": "2024-12-01", "expires_on": "2027-11-30", "first_time": True}],
    "indicators": {"revenue": {"2024": "12000000"}, "employees": {"2024": "85"}},
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("企业画像", value=ENTERPRISE_EXAMPLE, response_only=True),
        OpenApiExample(
            "登记企业",
            request_only=True,
            value={k: v for k, v in ENTERPRISE_EXAMPLE.items() if k not in {"entity_type", "scale", "age_years", "needs_review"}}
            | {"contact_phone": "13812345678", "contact_email": "lisi@example.com"},
        ),
    ]
)
class EnterpriseSerializer(serializers.Serializer):
    """The profile of DESIGN §3. Derived fields (entity_type, scale, age_years) are read-only."""

    credit_code = StrictCharField(max_length=40, label=_("统一社会信用代码"))
    name = StrictCharField(max_length=200, label=_("名称"))
    entity_type = StrictCharField(read_only=True, label=_("主体类型"))
    district = StrictCharField(max_length=20, label=_("行政区划"))
    zone = StrictCharField(max_length=20, required=False, allow_blank=True, label=_("功能区"))
    industry = StrictCharField(max_length=10, required=False, allow_blank=True, label=_("国民经济行业"))
    established_on = serializers.DateField(required=False, allow_null=True, label=_("成立日期"))
    registered_capital = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, min_value=Decimal(0), label=_("注册资本(元)")
    )
    scale = StrictCharField(read_only=True, allow_null=True, label=_("企业规模"))
    age_years = serializers.SerializerMethodField(label=_("成立年限"))
    address = StrictCharField(max_length=300, required=False, allow_blank=True, label=_("地址"))
    legal_representative = StrictCharField(max_length=50, required=False, allow_blank=True, label=_("法定代表人"))
    contact_name = StrictCharField(max_length=50, required=False, allow_blank=True, label=_("联系人"))
    contact_phone = StrictCharField(max_length=20, required=False, allow_blank=True, label=_("联系电话"))
    contact_email = StrictCharField(max_length=254, required=False, allow_blank=True,
                                          validators=[EmailValidator()], label=_("联系邮箱"))
    needs_review = serializers.BooleanField(read_only=True, label=_("待人工核验"))
    tags = TagValueSerializer(many=True, required=False, label=_("资质标签"))
    indicators = IndicatorsField(required=False, label=_("指标"))
    updated_at = serializers.DateTimeField(read_only=True, label=_("更新时间"))

    def get_age_years(self, enterprise) -> int | None:
        established = getattr(enterprise, "established_on", None)
        if not established:
            return None
        today = self.context.get("today") or timezone.localdate()
        years = today.year - established.year - ((today.month, today.day) < (established.month, established.day))
        return max(years, 0)

    def to_representation(self, enterprise: Enterprise):
        data = {
            "credit_code": enterprise.credit_code,
            "name": enterprise.name,
            "entity_type": enterprise.entity_type,
            "district": enterprise.district,
            "zone": enterprise.zone,
            "industry": enterprise.industry,
            "established_on": enterprise.established_on.isoformat() if enterprise.established_on else None,
            "registered_capital": (
                format(enterprise.registered_capital, "f") if enterprise.registered_capital is not None else None
            ),
            "scale": enterprise.scale,
            "age_years": self.get_age_years(enterprise),
            "address": enterprise.address,
            "legal_representative": enterprise.legal_representative,
            "contact_name": enterprise.contact_name,
            "contact_phone": enterprise.contact_phone,
            "contact_email": enterprise.contact_email,
            "needs_review": enterprise.needs_review,
        }
        data["tags"] = [
            {
                "name": et.tag.name,
                "recognized_on": et.recognized_on.isoformat() if et.recognized_on else None,
                "expires_on": et.expires_on.isoformat() if et.expires_on else None,
                "first_time": et.first_time,
            }
            for et in enterprise.tags.all()
        ]
        indicators: dict[str, dict[str, str | None]] = {}
        for iv in enterprise.indicator_values.all():
            value = iv.text_value if iv.value is None and iv.text_value else iv.value
            if isinstance(value, Decimal):
                value = _plain(value)
            indicators.setdefault(iv.indicator.code, {})[iv.period] = value
        data["indicators"] = indicators
        data["updated_at"] = serializers.DateTimeField().to_representation(enterprise.updated_at)
        if not self.context.get("personal_data", False):
            from portal.accounts.masking import mask_email, mask_phone

            data["contact_phone"] = mask_phone(data.get("contact_phone"))
            data["contact_email"] = mask_email(data.get("contact_email"))
        return data


def _plain(value: Decimal) -> str:
    """12000000.0000 → "12000000", 0.1250 → "0.125"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class BulkEnterprisesSerializer(serializers.Serializer):
    source = StrictCharField(max_length=60, required=False, default="", label=_("数据来源"))
    enterprises = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=MAX_BULK, label=_("企业画像列表(最多 1000 条)")
    )


class BulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(label=_("处理条数"))
    created = serializers.IntegerField(label=_("新增"))
    updated = serializers.IntegerField(label=_("更新"))
    unchanged = serializers.IntegerField(label=_("无变化"))


class BulkErrorSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=StrictCharField())),
        required=False,
        label=_("按序号和字段的错误(请求体本身有误时，则按字段给出)"),
    )


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": True, "example": "12000000"})
class ScalarField(serializers.Field):
    """A number or a numeric/code string (kept as text, so that decimals stay exact); null clears."""

    def to_internal_value(self, data):
        if data is None:
            return None
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise serializers.ValidationError(_("应为数值、字符串或 null。"))
        return str(data)

    def to_representation(self, value):
        return value


class IndicatorValueItemSerializer(serializers.Serializer):
    credit_code = StrictCharField(max_length=40, label=_("统一社会信用代码"))
    indicator = StrictCharField(max_length=60, label=_("指标代码"))
    period = StrictCharField(max_length=10, allow_blank=True, label=_("期间"))
    value = ScalarField(allow_null=True, label=_("数值"))
    as_of = serializers.DateField(required=False, allow_null=True, label=_("数据日期"))


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "税务数据推送",
            request_only=True,
            value={
                "source": "市税务局",
                "values": [
                    {"credit_code": "91410100MA44XXXXXX", "indicator": "tax_paid", "period": "2025", "value": "356000"},
                    {"credit_code": "91410100MA44XXXXXX", "indicator": "revenue", "period": "2025Q2", "value": "8800000"},
                ],
            },
        )
    ]
)
class IndicatorValuesSerializer(serializers.Serializer):
    source = StrictCharField(max_length=60, label=_("数据来源"))
    values = IndicatorValueItemSerializer(many=True, allow_empty=False, max_length=10000, label=_("指标值"))


class IndicatorValuesResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(label=_("处理条数"))
    enterprises = serializers.IntegerField(label=_("涉及企业数"))
    changed = serializers.IntegerField(label=_("数据发生变化(将重新匹配)的企业数"))


# --- matches, eligibility, notifications ------------------------------------------
class MatchSerializer(serializers.Serializer):
    policy = serializers.IntegerField(label=_("政策编号"))
    title = StrictCharField(label=_("政策标题"))
    status = StrictCharField(label=_("匹配状态"))
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, label=_("预计金额(元)"))
    reasons = serializers.JSONField(label=_("符合的条件"))
    missing = serializers.JSONField(label=_("需补充的数据"))
    matched_at = serializers.DateTimeField(label=_("匹配时间"))


class EligibilityRequestSerializer(serializers.Serializer):
    profile = serializers.DictField(label=_("企业画像(§3)"))
    as_of = serializers.DateField(required=False, allow_null=True, label=_("评估日期"))


class EligibleItemSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    title = StrictCharField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    reasons = serializers.ListField(child=StrictCharField())


class PossibleItemSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    title = StrictCharField()
    missing = serializers.ListField(child=serializers.JSONField())


class NearMissItemSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    title = StrictCharField()
    unmet = serializers.ListField(child=serializers.JSONField())


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "测算结果",
            response_only=True,
            value={
                "eligible": [{"policy": 12, "title": "郑州市高新技术企业认定奖励", "amount": "300000.00", "reasons": ["注册地在郑州市：是"]}],
                "possible": [{"policy": 15, "title": "研发费用后补助", "missing": [{"field": "rd_expense", "label": "研发费用"}]}],
                "near_misses": [
                    {
                        "policy": 18,
                        "title": "规上工业企业奖励",
                        "unmet": [{"field": "revenue", "needed": "> 20000000", "actual": "12000000", "text": "营业收入需大于 2000 万元"}],
                    }
                ],
            },
        )
    ]
)
class EligibilityResponseSerializer(serializers.Serializer):
    eligible = EligibleItemSerializer(many=True)
    possible = PossibleItemSerializer(many=True)
    near_misses = NearMissItemSerializer(many=True)

