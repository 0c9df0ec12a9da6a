"""Policies as the API shows and accepts them; ``open`` is ``Policy.is_open`` on Shanghai's date."""

from __future__ import annotations

from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.v1.common.fields import StrictCharField
from matching import criteria
from policies.models import BenefitType, Department, Policy, PolicyLevel
from policies.rules import criteria_text


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
                "materials": [
                    {
                        "name": "高新技术企业证书",
                        "description": "",
                        "required": True,
                        "from_shared_data": True,
                    }
                ],
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
            "id",
            "title",
            "doc_number",
            "summary",
            "body",
            "department",
            "department_name",
            "level",
            "benefit_type",
            "status",
            "criteria",
            "criteria_text",
            "award",
            "auto_grant",
            "exclusive_group",
            "apply_start",
            "apply_end",
            "valid_from",
            "valid_until",
            "open",
            "version",
            "published_at",
            "contact",
            "source_url",
            "materials",
            "snippet",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_criteria_text(self, policy: Policy) -> str:
        tree = policy.criteria or {}
        language = self.context.get("language", "zh-hans")
        if not tree or tree == {"all": []}:
            return criteria_text(tree, language=language)
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
            {
                "name": m.name,
                "description": m.description,
                "required": m.required,
                "from_shared_data": m.from_shared_data,
            }
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
                        {
                            "field": "tags",
                            "op": "has",
                            "value": "专精特新中小企业",
                            "recognized": "this_year",
                        },
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
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), label=_("牵头部门")
    )
    level = serializers.ChoiceField(choices=PolicyLevel.choices, required=False, label=_("层级"))
    benefit_type = serializers.ChoiceField(choices=BenefitType.choices, required=False, label=_("支持方式"))
    criteria = serializers.JSONField(required=False, label=_("申报条件"))
    award = serializers.JSONField(required=False, allow_null=True, label=_("奖补金额"))
    auto_grant = serializers.BooleanField(required=False, label=_("免申即享"))
    exclusive_group = StrictCharField(
        max_length=60, required=False, allow_blank=True, label=_("从高不重复组")
    )
    apply_start = serializers.DateField(required=False, allow_null=True, label=_("申报开始"))
    apply_end = serializers.DateField(required=False, allow_null=True, label=_("申报截止"))
    valid_from = serializers.DateField(required=False, allow_null=True, label=_("有效期起"))
    valid_until = serializers.DateField(required=False, allow_null=True, label=_("有效期止"))
    contact = StrictCharField(max_length=200, required=False, allow_blank=True, label=_("咨询方式"))
    source_url = StrictCharField(
        max_length=500, required=False, allow_blank=True, validators=[URLValidator()], label=_("原文链接")
    )
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

    def service_data(self) -> dict:
        """The validated fields as the policy services take them (department by id)."""
        data = dict(self.validated_data)
        if "department" in data:
            data["department"] = data["department"].pk
        if "materials" in data:
            data["materials"] = [dict(m) for m in data["materials"]]
        return data


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
    total_award = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, label=_("奖补总额(元)")
    )
    award_unknown = serializers.IntegerField(label=_("金额未知的符合企业数"))
