"""Reads of the enterprise registry."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Enterprise, EnterpriseTag, IndicatorValue
from .reference import normalize_credit_code


def enterprises_with_profile() -> QuerySet[Enterprise]:
    """Enterprises with their tags and indicator values prefetched (the whole §3 profile), by id."""
    return Enterprise.objects.prefetch_related(
        Prefetch("tags", queryset=EnterpriseTag.objects.select_related("tag").order_by("tag__name")),
        Prefetch(
            "indicator_values",
            queryset=IndicatorValue.objects.select_related("indicator").order_by("indicator__code", "period"),
        ),
    ).order_by("id")


def enterprise_id_for_code(credit_code: str) -> int | None:
    """The id of the enterprise registered under a credit code (normalised first), or None."""
    code = normalize_credit_code(credit_code or "")
    return Enterprise.objects.filter(credit_code=code).values_list("pk", flat=True).first()
