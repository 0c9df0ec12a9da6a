"""The eligibility calculator's request and answer (DESIGN §6)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.v1.common.fields import StrictCharField
from matching import criteria
from matching.criteria import NearMiss
from matching.criteria.award_kind import AwardKind
from matching.criteria.periods import YEARS
from matching.eligibility import EligibilityResult


class EligibilityRequestSerializer(serializers.Serializer):
    profile = serializers.DictField(label=_("企业画像(§3)"))
    as_of = serializers.DateField(required=False, allow_null=True, label=_("评估日期"))

    def validate_as_of(self, value):
        """A day within the years the portal's periods cover (``periods.YEARS``)."""
        first, last = YEARS
        if value is not None and not first <= value.year <= last:
            raise serializers.ValidationError(
                _("评估日期应在 %(first)d-01-01 至 %(last)d-12-31 之间。") % {"first": first, "last": last}
            )
        return value

    def validate_profile(self, value) -> criteria.Profile:
        """The stated profile, read by the criteria engine (its errors name the path)."""
        try:
            return criteria.profile_from_json(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        except (criteria.CriteriaError, ValueError, TypeError, AttributeError, KeyError) as exc:
            errors = getattr(exc, "errors", None)
            raise serializers.ValidationError(
                [f"{e.get('path', '')}: {e.get('message', '')}" for e in errors] if errors else [str(exc)]
            ) from None


AWARD_KIND_HELP = _(
    "奖补金额的性质：fixed 定额、formula 按比例、tiered 分档（符合即按此金额享受，计入确定可享）；"
    "up_to 最高不超过、competitive 评审择优（金额为上限，不计入确定可享）；无奖补金额为 null"
)


class EligibleItemSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    title = StrictCharField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    award_kind = serializers.ChoiceField(
        choices=AwardKind.choices, allow_null=True, help_text=AWARD_KIND_HELP
    )
    reasons = serializers.ListField(child=StrictCharField())


class PossibleItemSerializer(serializers.Serializer):
    policy = serializers.IntegerField()
    title = StrictCharField()
    award_kind = serializers.ChoiceField(
        choices=AwardKind.choices, allow_null=True, help_text=AWARD_KIND_HELP
    )
    missing = serializers.ListField(child=serializers.JSONField())


class TotalsSerializer(serializers.Serializer):
    certain = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        help_text=_("确定可享：定额、按比例、分档奖补之和（截止申报的不计，从高不重复）"),
    )
    most = serializers.DecimalField(
        max_digits=20, decimal_places=2, help_text=_("最高可申：另含最高不超过、评审择优的金额上限")
    )


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
                "eligible": [
                    {
                        "policy": 12,
                        "title": "郑州市高新技术企业认定奖励",
                        "amount": "300000.00",
                        "award_kind": "fixed",
                        "reasons": ["注册地在郑州市：是"],
                    }
                ],
                "possible": [
                    {
                        "policy": 15,
                        "title": "研发费用后补助",
                        "award_kind": "formula",
                        "missing": [{"field": "rd_expense", "label": "研发费用"}],
                    }
                ],
                "near_misses": [
                    {
                        "policy": 18,
                        "title": "规上工业企业奖励",
                        "unmet": [
                            {
                                "field": "revenue",
                                "needed": "> 20000000",
                                "actual": "12000000",
                                "text": "营业收入需大于 2000 万元",
                            }
                        ],
                    }
                ],
                "totals": {"certain": "300000.00", "most": "300000.00"},
            },
        )
    ]
)
class EligibilityResponseSerializer(serializers.Serializer):
    eligible = EligibleItemSerializer(many=True)
    possible = PossibleItemSerializer(many=True)
    near_misses = NearMissItemSerializer(many=True)
    totals = TotalsSerializer()

    @staticmethod
    def answer(result: EligibilityResult) -> dict:
        """The domain's verdicts in the answer's shape."""
        return {
            "eligible": [
                {
                    "policy": i.policy.id,
                    "title": i.policy.title,
                    "amount": i.amount,
                    "award_kind": i.kind,
                    "reasons": i.reasons,
                }
                for i in result.eligible
            ],
            "possible": [
                {"policy": i.policy.id, "title": i.policy.title, "award_kind": i.kind, "missing": i.missing}
                for i in result.possible
            ],
            "near_misses": [
                {"policy": i.policy.id, "title": i.policy.title, "unmet": [_unmet(m) for m in i.unmet]}
                for i in result.near
            ],
            "totals": {"certain": result.totals.certain, "most": result.totals.most},
        }


def _unmet(near: NearMiss) -> dict:
    return {
        "field": near.field,
        "path": near.path,
        "needed": near.needed,
        "actual": near.actual,
        "text": near.text,
    }
