"""Figures of the 诉求 loop and of arrears, for the staff dashboard."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Collection
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone

from .models import OPEN_STATUSES, ArrearsCase, ArrearsStatus, Case, CaseStatus, DebtorType

RESOLVED = (CaseStatus.CONFIRMED, CaseStatus.VISITED, CaseStatus.CLOSED)


def cases_visible_to(*, enterprise_id: int | None, department_ids: Collection[int] | None) -> QuerySet[Case]:
    """The cases a caller may read, newest first: an enterprise user's own enterprise's, or
    the cases the departments an official works for handle (``None``: all, a superuser)."""
    qs = Case.objects.select_related("enterprise", "department", "rating").order_by("-created_at")
    if enterprise_id:
        return qs.filter(enterprise_id=enterprise_id)
    if department_ids is None:
        return qs
    return qs.filter(department_id__in=list(department_ids))


def cases_filtered(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    district: str = "",
    department_id: int | None = None,
    category: str = "",
    department_ids: Collection[int] | None = None,
):
    """The cases raised between ``start`` and ``end`` (local dates, inclusive) in ``district``,
    handled by ``department_id``, of ``category``: each filter only when given; and, unless
    ``department_ids`` is None (every department), handled by one of ``department_ids``."""
    given = {
        "created_at__date__gte": start,
        "created_at__date__lte": end,
        "district": district,
        "department_id": department_id,
        "category": category,
    }
    qs = Case.objects.filter(**{lookup: value for lookup, value in given.items() if value})
    return qs if department_ids is None else qs.filter(department_id__in=list(department_ids))


def _median_days(qs) -> float | None:
    days = [
        (resolved - created).total_seconds() / 86400
        for created, resolved in qs.filter(resolved_at__isnull=False).values_list("created_at", "resolved_at")
    ]
    return round(statistics.median(days), 1) if days else None


def case_figures(
    *, group_by: str | None = None, today: dt.date | None = None, **filters
) -> list[dict] | dict:
    """collected, resolved, resolution rate, median days, overdue, satisfaction — overall or by
    ``department``, ``district`` or ``category``."""
    today = today or timezone.localdate()
    qs = cases_filtered(**filters)
    aggregates = {
        "collected": Count("id"),
        "resolved": Count("id", filter=Q(status__in=RESOLVED)),
        "overdue": Count("id", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        "satisfaction": Avg("rating__score"),
        "bad_ratings": Count("id", filter=Q(rating__score__lte=2)),
    }

    def finish(row: dict, subset) -> dict:
        row["resolution_rate"] = (
            round(100 * row["resolved"] / row["collected"], 1) if row["collected"] else 0.0
        )
        row["satisfaction"] = round(row["satisfaction"], 2) if row["satisfaction"] is not None else None
        row["median_days"] = _median_days(subset)
        return row

    if group_by is None:
        return finish(qs.aggregate(**aggregates), qs)
    field = {"department": "department__name", "district": "district", "category": "category"}[group_by]
    rows = []
    for row in qs.values(field).annotate(**aggregates).order_by(field):
        key = row.pop(field)
        row["key"] = key
        subset = qs.filter(**{field: key})
        rows.append(finish(row, subset))
    return rows


def policy_friction(*, limit: int = 10, **filters) -> list[dict]:
    """Policies that cause the most problems and complaints."""
    return list(
        cases_filtered(**filters)
        .filter(policy__isnull=False)
        .values("policy_id", policy_title=F("policy__title"))
        .annotate(
            cases=Count("id"),
            complaints=Count("id", filter=Q(kind="complaint")),
            bad=Count("id", filter=Q(rating__score__lte=2)),
        )
        .order_by("-cases", "-complaints")[:limit]
    )


def _age_bucket(days: int) -> str:
    if days <= 90:
        return "0-3个月"
    if days <= 180:
        return "3-6个月"
    if days <= 365:
        return "6-12个月"
    return "1年以上"


def arrears_figures(*, today: dt.date | None = None, district: str = "") -> dict:
    today = today or timezone.localdate()
    qs = ArrearsCase.objects.all()
    if district:
        qs = qs.filter(district=district)
    by_type = list(
        qs.values("debtor_type")
        .annotate(
            cases=Count("id"),
            amount=Sum("amount"),
            settled=Count("id", filter=Q(status=ArrearsStatus.SETTLED)),
        )
        .order_by("debtor_type")
    )
    labels = dict(DebtorType.choices)
    for row in by_type:
        row["label"] = str(labels.get(row["debtor_type"], row["debtor_type"]))
    by_district = list(
        qs.values("district").annotate(cases=Count("id"), amount=Sum("amount")).order_by("district")
    )
    repaid = {
        row["id"]: row["repaid"] or Decimal("0")
        for row in qs.annotate(repaid=Sum("repayments__amount")).values("id", "repaid")
    }
    ages: dict[str, dict] = {}
    for case in qs.exclude(status__in=[ArrearsStatus.SETTLED, ArrearsStatus.REJECTED]).only(
        "id", "due_on", "amount", "verified_amount"
    ):
        bucket = _age_bucket((today - case.due_on).days)
        entry = ages.setdefault(bucket, {"bucket": bucket, "cases": 0, "outstanding": Decimal("0")})
        entry["cases"] += 1
        entry["outstanding"] += (case.verified_amount or case.amount) - repaid.get(case.id, Decimal("0"))
    order = ["0-3个月", "3-6个月", "6-12个月", "1年以上"]
    return {
        "total": {
            **qs.aggregate(cases=Count("id"), amount=Sum("amount")),
            "repaid": sum(repaid.values(), Decimal("0")),
            "settled": qs.filter(status=ArrearsStatus.SETTLED).count(),
        },
        "by_debtor_type": by_type,
        "by_district": by_district,
        "by_age": [ages[b] for b in order if b in ages],
    }
