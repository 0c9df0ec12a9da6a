"""Reads for liaison: coverage figures and the pre-visit briefing."""

from __future__ import annotations

from django.db.models import Count, Q

from appeals.models import OPEN_STATUSES, ArrearsCase, ArrearsStatus, Case
from applications import selectors as app_selectors
from enterprises.models import Enterprise
from enterprises.reference import district_name
from matching.models import Match, MatchStatus

from .models import Assignment, AssignmentRole


def coverage_by_district(*, district: str = "") -> list[dict]:
    """Enterprises covered by an active lead / total, per district."""
    enterprises = Enterprise.objects.all()
    if district:
        enterprises = enterprises.filter(district=district)
    covered_ids = Assignment.objects.filter(active=True, role=AssignmentRole.LEAD).values("enterprise_id")
    rows = (
        enterprises.values("district")
        .annotate(total=Count("id"), covered=Count("id", filter=Q(id__in=covered_ids)))
        .order_by("district")
    )
    out = []
    for row in rows:
        row["rate"] = round(100 * row["covered"] / row["total"], 1) if row["total"] else 0.0
        row["name"] = district_name(row["district"]) or row["district"]
        out.append(row)
    return out


def coverage_total() -> dict:
    total = Enterprise.objects.count()
    covered = (
        Assignment.objects.filter(active=True, role=AssignmentRole.LEAD)
        .values("enterprise_id")
        .distinct()
        .count()
    )
    officials = Assignment.objects.filter(active=True).values("official_id").distinct().count()
    return {
        "total": total,
        "covered": covered,
        "officials": officials,
        "rate": round(100 * covered / total, 1) if total else 0.0,
    }


def assignments_for_official(*, official):
    return (
        Assignment.objects.filter(official=official, active=True)
        .select_related("enterprise")
        .order_by("enterprise__name")
    )


def briefing_for_enterprise(*, enterprise) -> dict:
    """What an official should know before a visit."""
    matches = list(
        Match.objects.filter(enterprise_id=enterprise.pk, status=MatchStatus.ELIGIBLE)
        .select_related("policy")
        .order_by("-amount")[:50]
    )
    claimed_policy_ids = app_selectors.policy_ids_claimed_by(enterprise_id=enterprise.pk)
    grants = list(app_selectors.grants_for_enterprise(enterprise_id=enterprise.pk))
    unclaimed = [m for m in matches if m.policy_id not in claimed_policy_ids]
    open_cases = list(
        Case.objects.filter(enterprise=enterprise, status__in=OPEN_STATUSES).select_related("department")
    )
    arrears = list(
        ArrearsCase.objects.filter(enterprise=enterprise).exclude(
            status__in=[ArrearsStatus.SETTLED, ArrearsStatus.REJECTED]
        )
    )
    return {
        "enterprise": enterprise,
        "unclaimed_matches": unclaimed,
        "open_cases": open_cases,
        "arrears": arrears,
        "grants": grants,
        "visits": list(enterprise.visits.prefetch_related("officials").all()[:5]),
        "liaisons": list(
            Assignment.objects.filter(enterprise=enterprise, active=True).select_related("official")
        ),
    }
