"""Reads of the applications app: the enterprise's applications and grants, the review
queue with days left, and the officials' figures."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from enterprises.reference import district_name
from inbox.models import Message
from policies.models import Department, Policy
from portal.workdays import workdays_between

from .access import user_department_ids
from .models import (
    Application,
    ApplicationStatus,
    Grant,
    GrantObjection,
    GrantProposal,
    GrantStatus,
    PaymentInstruction,
    PaymentStatus,
)

S = ApplicationStatus


def today_local() -> date:
    return timezone.localdate()


def applications_for_enterprise(*, enterprise_id: int) -> QuerySet[Application]:
    return (
        Application.objects.filter(enterprise_id=enterprise_id)
        .select_related("policy")
        .order_by("-submitted_at")
    )


def grants_for_enterprise(
    enterprise_id: int, *, department_ids: Collection[int] | None = None
) -> QuerySet[Grant]:
    """The enterprise's grants, newest first, with the policy and the payment attempts
    (for "我的政策" and the API). Cancelled grants are left out. ``department_ids`` narrows
    them to the grants of those departments (what an official of them may see)."""
    qs = (
        Grant.objects.filter(enterprise_id=enterprise_id)
        .exclude(status=GrantStatus.CANCELLED)
        .select_related("policy", "department")
        .prefetch_related("payments")
        .order_by("-granted_at", "-id")
    )
    return qs if department_ids is None else qs.filter(department_id__in=list(department_ids))


def policy_ids_claimed_by(*, enterprise_id: int) -> set[int]:
    """Policies the enterprise has claimed: a live application (submitted, accepted, returned
    or approved; the ones the database holds to one per policy) or a grant that stands."""
    applied = Application.objects.filter(enterprise_id=enterprise_id).exclude(
        status__in=[S.REJECTED, S.WITHDRAWN]
    )
    granted = Grant.objects.filter(enterprise_id=enterprise_id).exclude(status=GrantStatus.CANCELLED)
    return set(applied.values_list("policy_id", flat=True)) | set(granted.values_list("policy_id", flat=True))


def messages_for_enterprise(*, enterprise_id: int, limit: int = 50):
    """The enterprise's in-app messages about applications and grants (the shared inbox)."""
    return Message.objects.filter(enterprise_id=enterprise_id, kind__in=["application", "grant"])[:limit]


@dataclass
class Clock:
    days_used: int
    days_left: int
    paused: bool
    overdue: bool


def application_clock(application: Application, *, today: date | None = None) -> Clock:
    """Working days used and left on an application's time limit (paused while returned)."""
    today = today or today_local()
    used = application.days_used_before
    if application.clock_started_on:
        used += workdays_between(application.clock_started_on, today)
    elif application.working_days_taken is not None:
        used = application.working_days_taken
    left = application.processing_days - used
    paused = application.status == S.RETURNED
    overdue = application.status in (S.SUBMITTED, S.ACCEPTED) and left < 0
    return Clock(days_used=used, days_left=left, paused=paused, overdue=overdue)


def review_queue(
    *, user, today: date | None = None, include_returned: bool = True
) -> list[tuple[Application, Clock]]:
    """Open applications of the user's departments, most urgent first, each with its clock."""
    today = today or today_local()
    statuses = [S.SUBMITTED, S.ACCEPTED] + ([S.RETURNED] if include_returned else [])
    qs = Application.objects.filter(status__in=statuses).select_related("policy", "enterprise", "department")
    departments = user_department_ids(user)
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    items = [(a, application_clock(a, today=today)) for a in qs]
    items.sort(key=lambda item: (item[1].paused, item[1].days_left, item[0].submitted_at))
    return items


def _scoped(qs: QuerySet, user, department_id: int | None) -> QuerySet:
    """``qs`` cut to the departments ``user`` serves and, when given, to ``department_id``
    (a filter narrows the user's scope, never widens it)."""
    departments = user_department_ids(user)
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs


def applications_filtered(
    *,
    user,
    start: date | None = None,
    end: date | None = None,
    district: str = "",
    department_id: int | None = None,
) -> QuerySet[Application]:
    """The applications ``user`` may see, optionally submitted (first submission, local
    date) between ``start`` and ``end`` inclusive, by an enterprise of ``district``
    (its current registry district), to ``department_id``."""
    qs = _scoped(Application.objects.all(), user, department_id)
    if start:
        qs = qs.filter(submitted_at__date__gte=start)
    if end:
        qs = qs.filter(submitted_at__date__lte=end)
    if district:
        qs = qs.filter(enterprise__district=district)
    return qs


def department_figures(
    *,
    user,
    today: date | None = None,
    start: date | None = None,
    end: date | None = None,
    district: str = "",
    department_id: int | None = None,
) -> list[dict[str, Any]]:
    """Per department: received, approved, rejected, open, overdue and the median working
    days from submission to decision (time returned for correction not counted), over the
    applications of ``applications_filtered`` (period = submission date)."""
    today = today or today_local()
    qs = applications_filtered(
        user=user, start=start, end=end, district=district, department_id=department_id
    )
    counts = {
        row["department_id"]: row
        for row in qs.values("department_id").annotate(
            received=Count("id"),
            approved=Count("id", filter=Q(status=S.APPROVED)),
            rejected=Count("id", filter=Q(status=S.REJECTED)),
            open=Count("id", filter=Q(status__in=[S.SUBMITTED, S.ACCEPTED, S.RETURNED])),
            overdue=Count("id", filter=Q(status__in=[S.SUBMITTED, S.ACCEPTED], due_on__lt=today)),
            decided_late=Count(
                "id",
                filter=Q(status__in=[S.APPROVED, S.REJECTED], working_days_taken__gt=F("processing_days")),
            ),
        )
    }
    taken: dict[int, list[int]] = {}
    for dept_id, days in qs.filter(
        working_days_taken__isnull=False, status__in=[S.APPROVED, S.REJECTED]
    ).values_list("department_id", "working_days_taken"):
        taken.setdefault(dept_id, []).append(days)
    names = dict(Department.objects.filter(pk__in=counts).values_list("pk", "name"))
    out = []
    for dept_id, row in sorted(counts.items(), key=lambda kv: names.get(kv[0], "")):
        days = taken.get(dept_id, [])
        out.append(
            {
                "department_id": dept_id,
                "department": names.get(dept_id, ""),
                "received": row["received"],
                "approved": row["approved"],
                "rejected": row["rejected"],
                "open": row["open"],
                "overdue": row["overdue"],
                "decided_late": row["decided_late"],
                "median_days": _tidy(statistics.median(days)) if days else None,
            }
        )
    return out


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 1)


def _grants_visible(
    user,
    *,
    start: date | None = None,
    end: date | None = None,
    district: str = "",
    department_id: int | None = None,
) -> QuerySet[Grant]:
    """Grants (not cancelled) of ``user``'s departments. With ``start``/``end`` only grants
    paid (``paid_on``, the day the money arrived) in that period, inclusive — an unpaid
    grant has no such date and drops out; ``district`` is the enterprise's district recorded
    on the grant when it was made (``Grant.district``)."""
    qs = _scoped(Grant.objects.exclude(status=GrantStatus.CANCELLED), user, department_id)
    if start:
        qs = qs.filter(paid_on__gte=start)
    if end:
        qs = qs.filter(paid_on__lte=end)
    if district:
        qs = qs.filter(district=district)
    return qs


_PAID_STATUSES = [GrantStatus.PAID, GrantStatus.RECEIVED]


def grant_totals(
    *,
    user,
    by: str,
    start: date | None = None,
    end: date | None = None,
    district: str = "",
    department_id: int | None = None,
) -> list[dict[str, Any]]:
    """Totals granted and paid grouped by ``policy``, ``department``, ``district`` or ``month``
    (month of payment), in one query each; the filters are those of ``_grants_visible``."""
    qs = _grants_visible(user, start=start, end=end, district=district, department_id=department_id)
    if by == "policy":
        qs = qs.values(key=F("policy__title"))
    elif by == "department":
        qs = qs.values(key=F("department__name"))
    elif by == "district":
        qs = qs.values(key=F("district"))
    elif by == "month":
        qs = qs.filter(paid_on__isnull=False).annotate(m=TruncMonth("paid_on")).values(key=F("m"))
    else:
        raise ValueError(by)
    rows = list(
        qs.annotate(
            count=Count("id"),
            granted=Sum("amount"),
            paid_count=Count("id", filter=Q(status__in=_PAID_STATUSES)),
            paid=Sum("amount", filter=Q(status__in=_PAID_STATUSES)),
        ).order_by("key")
    )
    if by == "district":
        for row in rows:
            row["label"] = district_name(row["key"])  # an unknown code is shown as it is
    for row in rows:
        row.setdefault("label", row["key"].strftime("%Y-%m") if by == "month" and row["key"] else row["key"])
        row["paid"] = row["paid"] or Decimal("0")
    return rows


def days_to_money(
    *,
    user,
    start: date | None = None,
    end: date | None = None,
    district: str = "",
    department_id: int | None = None,
) -> dict[str, Any]:
    """Calendar days from eligibility (match, or submission for applications) to the money in
    the account, overall and per policy: median, mean, max; the filters are those of
    ``_grants_visible`` (period = payment date)."""
    rows = list(
        _grants_visible(user, start=start, end=end, district=district, department_id=department_id)
        .filter(paid_on__isnull=False)
        .values_list("policy_id", "policy__title", "source", "eligible_since", "paid_on")
    )
    per_policy: dict[int, dict[str, Any]] = {}
    all_days = []
    for policy_id, title, source, since, paid_on in rows:
        days = (paid_on - timezone.localtime(since).date()).days
        all_days.append(days)
        entry = per_policy.setdefault(policy_id, {"policy": title, "source": source, "days": []})
        entry["days"].append(days)

    def summary(days: list[int]) -> dict[str, Any]:
        if not days:
            return {"count": 0, "median": None, "mean": None, "max": None}
        median = statistics.median(days)
        return {
            "count": len(days),
            "median": _tidy(median),
            "mean": round(statistics.fmean(days), 1),
            "max": max(days),
        }

    return {
        "overall": summary(all_days),
        "by_policy": sorted(
            (
                {"policy": v["policy"], "source": v["source"], **summary(v["days"])}
                for v in per_policy.values()
            ),
            key=lambda r: r["policy"],
        ),
    }


def proposals_for_policy(*, policy_id: int, period: str | None = None) -> QuerySet[GrantProposal]:
    qs = GrantProposal.objects.filter(policy_id=policy_id).select_related("enterprise")
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("status", "-amount", "id")


def auto_grant_overview(*, user) -> list[dict[str, Any]]:
    """Auto-grant policies of the user's departments with their proposal counts by status."""
    qs = Policy.objects.filter(auto_grant=True, status="published")
    departments = user_department_ids(user)
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    policies = list(qs.select_related("department").order_by("title"))
    counts: dict[int, dict[str, int]] = {}
    for row in (
        GrantProposal.objects.filter(policy__in=policies)
        .values("policy_id", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["policy_id"], {})[row["status"]] = row["n"]
    return [{"policy": p, "counts": counts.get(p.pk, {})} for p in policies]


def ledger(*, user, status: str = "") -> QuerySet[Grant]:
    qs = _grants_visible(user).select_related("policy", "enterprise", "department")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-granted_at", "-id")


def instructions_pending(*, user) -> QuerySet[PaymentInstruction]:
    qs = PaymentInstruction.objects.filter(status=PaymentStatus.INSTRUCTED).select_related(
        "grant__policy", "grant__enterprise"
    )
    departments = user_department_ids(user)
    if departments is not None:
        qs = qs.filter(grant__department_id__in=departments)
    return qs.order_by("id")


def _percentile(values: list[int], share: float) -> float | int | None:
    """Nearest-rank percentile (p90 of 10 values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def autogrant_figures(
    *,
    user,
    start: date | None = None,
    end: date | None = None,
    district: str = "",
    department_id: int | None = None,
) -> dict[str, Any]:
    """免申即享 after 一键确认, within the user's departments (and the dashboard's filters):

    * ``days``: calendar days from the batch's confirmation to the money in the account
      (median, p90) of paid 免申即享 grants (period = payment date);
    * ``objections``: 公示异议 / 应享未享 / 金额有误 by outcome (period = when raised);
    * ``missed``: the 应享未享 rate — (enterprise, policy) pairs eligible for a published
      免申即享 policy today, and how many of them have no grant paid yet."""
    from matching.models import Match, MatchStatus

    rows = list(
        _grants_visible(user, start=start, end=end, district=district, department_id=department_id)
        .filter(paid_on__isnull=False, proposal__batch__isnull=False)
        .values_list("proposal__batch__confirmed_at", "paid_on")
    )
    days = [(paid_on - timezone.localtime(confirmed).date()).days for confirmed, paid_on in rows]

    objections = _scoped(GrantObjection.objects.all(), user, department_id)
    if start:
        objections = objections.filter(created_at__date__gte=start)
    if end:
        objections = objections.filter(created_at__date__lte=end)
    counts: dict[str, dict[str, int]] = {}
    for row in objections.values("kind", "status").annotate(n=Count("id")):
        counts.setdefault(row["kind"], {})[row["status"]] = row["n"]
    kinds = [
        {
            "kind": kind,
            "label": str(label),
            "open": counts.get(kind, {}).get("open", 0),
            "upheld": counts.get(kind, {}).get("upheld", 0),
            "rejected": counts.get(kind, {}).get("rejected", 0),
        }
        for kind, label in GrantObjection._meta.get_field("kind").choices
    ]
    for row in kinds:
        row["total"] = row["open"] + row["upheld"] + row["rejected"]

    eligible = Match.objects.filter(
        status=MatchStatus.ELIGIBLE, policy__auto_grant=True, policy__status="published"
    )
    departments = user_department_ids(user)
    if departments is not None:
        eligible = eligible.filter(policy__department_id__in=departments)
    if department_id:
        eligible = eligible.filter(policy__department_id=department_id)
    if district:
        eligible = eligible.filter(enterprise__district=district)
    paid = Grant.objects.filter(
        policy_id=OuterRef("policy_id"), enterprise_id=OuterRef("enterprise_id"), status__in=_PAID_STATUSES
    )
    total = eligible.count()
    unpaid = eligible.filter(~Exists(paid)).count() if total else 0
    return {
        "days": {
            "count": len(days),
            "median": _tidy(statistics.median(days)) if days else None,
            "p90": _percentile(days, 0.9),
        },
        "objections": kinds,
        "missed": {
            "eligible": total,
            "unpaid": unpaid,
            "rate": round(100 * unpaid / total, 1) if total else None,
        },
    }
