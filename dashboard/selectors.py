"""All the figures officials watch, gathered from each part, filterable by period, district
and department. Each part computes its own figures; this module only assembles them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from appeals import selectors as appeals_selectors
from appeals.models import Category
from applications import selectors as app_selectors
from enterprises.reference import district_name
from liaison import selectors as liaison_selectors
from matching.models import Match, MatchStatus
from matching.selectors import matches_certain_amount
from policies.models import Policy


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None
    end: dt.date | None = None
    district: str = ""
    department_id: int | None = None
    # The departments in scope when no single one is chosen: all of an official's (None: every
    # department, an administrator). The application figures scope by the user themselves.
    department_ids: tuple[int, ...] | None = None

    def as_case_filters(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "district": self.district,
            "department_id": self.department_id,
        }


def _label_rows(rows: list[dict], group_by: str) -> list[dict]:
    categories = dict(Category.choices)
    for row in rows:
        key = row["key"]
        if group_by == "district":
            row["label"] = district_name(key) or key or "—"
        elif group_by == "category":
            row["label"] = str(categories.get(key, key))
        else:
            row["label"] = key or "—"
    return rows


def matching_figures(filters: Filters) -> dict:
    matches = Match.objects.exclude(status=MatchStatus.ENDED)
    if filters.district:
        matches = matches.filter(enterprise__district=filters.district)
    if filters.department_id:
        matches = matches.filter(policy__department_id=filters.department_id)
    if filters.department_ids is not None:
        matches = matches.filter(policy__department_id__in=filters.department_ids)
    if filters.start:
        matches = matches.filter(matched_at__date__gte=filters.start)
    if filters.end:
        matches = matches.filter(matched_at__date__lte=filters.end)
    agg = matches.aggregate(
        eligible=Count("pk", filter=Q(status=MatchStatus.ELIGIBLE)),
        possible=Count("pk", filter=Q(status=MatchStatus.POSSIBLE)),
        enterprises=Count("enterprise_id", distinct=True),
    )
    agg["amount"] = matches_certain_amount(matches, on=timezone.localdate())
    policies = Policy.objects.filter(status="published")
    if filters.department_id:
        policies = policies.filter(department_id=filters.department_id)
    if filters.department_ids is not None:
        policies = policies.filter(department_id__in=filters.department_ids)
    agg["policies"] = policies.count()
    return agg


def application_figures(filters: Filters, *, user) -> dict:
    """Applications (period = submission date, district = the applying enterprise's) and
    grants (period = payment date, district = the one recorded on the grant), within the
    user's departments and narrowed by ``filters``."""
    scope = filters.as_case_filters()
    return {
        "by_department": app_selectors.department_figures(user=user, **scope),
        "days_to_money": app_selectors.days_to_money(user=user, **scope),
        "grants_by_month": app_selectors.grant_totals(user=user, by="month", **scope),
        # 免申即享 after 一键确认: days to money, objections and outcomes, the 应享未享 rate (helper C)
        "autogrant": app_selectors.autogrant_figures(user=user, **scope),
    }


def dashboard_figures(filters: Filters, *, user) -> dict:
    case_filters = {**filters.as_case_filters(), "department_ids": filters.department_ids}
    return {
        "cases": appeals_selectors.case_figures(**case_filters),
        "cases_by_department": _label_rows(
            appeals_selectors.case_figures(group_by="department", **case_filters), "department"
        ),
        "cases_by_district": _label_rows(
            appeals_selectors.case_figures(group_by="district", **case_filters), "district"
        ),
        "cases_by_category": _label_rows(
            appeals_selectors.case_figures(group_by="category", **case_filters), "category"
        ),
        "policy_friction": appeals_selectors.policy_friction(**case_filters),
        "arrears": appeals_selectors.arrears_figures(district=filters.district),
        "coverage": liaison_selectors.coverage_total(),
        "coverage_by_district": liaison_selectors.coverage_by_district(district=filters.district),
        "matching": matching_figures(filters),
        "applications": application_figures(filters, user=user),
    }
