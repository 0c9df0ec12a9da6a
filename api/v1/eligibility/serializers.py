"""The eligibility calculator's request and answer (DESIGN §6)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.v1.common.fields import StrictCharField
from matching import criteria
from matching.criteria import NearMiss
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
                "eligible": [
                    {
                        "policy": 12,
                        "title": "郑州市高新技术企业认定奖励",
                        "amount": "300000.00",
                        "reasons": ["注册地在郑州市：是"],
                    }
                ],
                "possible": [
                    {
                        "policy": 15,
                        "title": "研发费用后补助",
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
            },
        )
    ]
)
class EligibilityResponseSerializer(serializers.Serializer):
    eligible = EligibleItemSerializer(many=True)
    possible = PossibleItemSerializer(many=True)
    near_misses = NearMissItemSerializer(many=True)

    @staticmethod
    def answer(result: EligibilityResult) -> dict:
        """The domain's verdicts in the answer's shape."""
        return {
            "eligible": [
                {"policy": i.policy.id, "title": i.policy.title, "amount": i.amount, "reasons": i.reasons}
                for i in result.eligible
            ],
            "possible": [
                {"policy": i.policy.id, "title": i.policy.title, "missing": i.missing}
                for i in result.possible
            ],
            "near_misses": [
                {"policy": i.policy.id, "title": i.policy.title, "unmet": [_unmet(m) for m in i.unmet]}
                for i in result.near
            ],
        }


def _unmet(near: NearMiss) -> dict:
    return {
        "field": near.field,
        "path": near.path,
        "needed": near.needed,
        "actual": near.actual,
        "text": near.text,
    }
