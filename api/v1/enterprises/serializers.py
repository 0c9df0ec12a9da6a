"""The enterprise profile of DESIGN §3 as the API shows and accepts it, bulk writes and
indicator pushes. The registry's record cleaning validates and normalises the values."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.v1.common.fields import StrictCharField
from api.v1.common.responses import EXAMPLE_CREDIT_CODE
from enterprises.models import Enterprise
from matching.criteria.periods import age_years
from portal.accounts.masking import mask_email, mask_phone

MAX_BULK = 1000


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
        "additionalProperties": {
            "type": "object",
            "additionalProperties": {"type": "string", "nullable": True},
        },
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
                v is None or (not isinstance(v, bool) and isinstance(v, str | int | float))
                for v in periods.values()
            ):
                raise serializers.ValidationError({code: [_("应为 {期间: 数值} 形式的对象。")]})
        return data


ENTERPRISE_EXAMPLE = {
    "credit_code": EXAMPLE_CREDIT_CODE,
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
    "tags": [
        {
            "name": "高新技术企业",
            "recognized_on": "2024-12-01",
            "expires_on": "2027-11-30",
            "first_time": True,
        }
    ],
    "indicators": {"revenue": {"2024": "12000000"}, "employees": {"2024": "85"}},
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("企业画像", value=ENTERPRISE_EXAMPLE, response_only=True),
        OpenApiExample(
            "登记企业",
            request_only=True,
            value={
                k: v
                for k, v in ENTERPRISE_EXAMPLE.items()
                if k not in {"entity_type", "scale", "age_years", "needs_review"}
            }
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
        max_digits=18,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=Decimal(0),
        label=_("注册资本(元)"),
    )
    scale = StrictCharField(read_only=True, allow_null=True, label=_("企业规模"))
    age_years = serializers.SerializerMethodField(label=_("成立年限"))
    address = StrictCharField(max_length=300, required=False, allow_blank=True, label=_("地址"))
    legal_representative = StrictCharField(
        max_length=50, required=False, allow_blank=True, label=_("法定代表人")
    )
    contact_name = StrictCharField(max_length=50, required=False, allow_blank=True, label=_("联系人"))
    contact_phone = StrictCharField(max_length=20, required=False, allow_blank=True, label=_("联系电话"))
    contact_email = StrictCharField(
        max_length=254, required=False, allow_blank=True, validators=[EmailValidator()], label=_("联系邮箱")
    )
    needs_review = serializers.BooleanField(read_only=True, label=_("待人工核验"))
    tags = TagValueSerializer(many=True, required=False, label=_("资质标签"))
    indicators = IndicatorsField(required=False, label=_("指标"))
    updated_at = serializers.DateTimeField(read_only=True, label=_("更新时间"))

    def get_age_years(self, enterprise) -> int | None:
        established = getattr(enterprise, "established_on", None)
        if not established:
            return None
        return max(age_years(established, self.context.get("today") or timezone.localdate()), 0)

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
                format(enterprise.registered_capital, "f")
                if enterprise.registered_capital is not None
                else None
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
        child=serializers.DictField(),
        min_length=1,
        max_length=MAX_BULK,
        label=_("企业画像列表(最多 1000 条)"),
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


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": True, "example": "12000000"}
)
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
                    {
                        "credit_code": EXAMPLE_CREDIT_CODE,
                        "indicator": "tax_paid",
                        "period": "2025",
                        "value": "356000",
                    },
                    {
                        "credit_code": EXAMPLE_CREDIT_CODE,
                        "indicator": "revenue",
                        "period": "2025Q2",
                        "value": "8800000",
                    },
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
