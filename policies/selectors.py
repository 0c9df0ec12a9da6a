"""Reads of the policy library: published/active policies, search with facets, the
reach preview, versions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from .models import BenefitType, Department, Interpretation, Policy, PolicyLevel, PolicyStatus, PolicyVersion
from .permissions import (  # noqa: F401 - re-exported (interfaces.md)
    user_can_edit_policy,
    user_can_publish_policy,
    user_department_ids,
)
from .rules import ALL
from .search import apply_text_query, highlight  # noqa: F401 - re-exported

ORDERS = ("relevance", "deadline", "newest")


def _today() -> dt.date:
    return timezone.localdate()


def policies_published() -> QuerySet[Policy]:
    return Policy.objects.filter(status=PolicyStatus.PUBLISHED)


def policies_published_active(*, as_of: dt.date | None = None) -> QuerySet[Policy]:
    """Published policies within their validity window on ``as_of`` (today by default):
    the ones the matching pipeline matches."""
    today = as_of or _today()
    return policies_published().filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
    )


def open_now_q(*, today: dt.date | None = None) -> Q:
    """Accepting applications today (no window given means all year round)."""
    today = today or _today()
    return Q(Q(apply_start__isnull=True) | Q(apply_start__lte=today), Q(apply_end__isnull=True) | Q(apply_end__gte=today))


def policy_get_published(*, policy_id: int) -> Policy:
    return (
        policies_published()
        .select_related("department", "service_point")
        .prefetch_related("interpretations", "materials", "attachments", "co_departments")
        .get(pk=policy_id)
    )


def policies_for_official(*, user) -> QuerySet[Policy]:
    """Every policy of the departments ``user`` works for (all for a superuser)."""
    ids = user_department_ids(user)
    qs = Policy.objects.select_related("department")
    return qs if ids is None else qs.filter(department_id__in=ids)


# --- search --------------------------------------------------------------------------------


def _code_facet_q(field: str, code: str) -> tuple[Q, str, Cast]:
    """A policy admits ``code`` when it does not restrict the field, restricts it to a
    code containing ``code`` (a prefix of it), or to a code under it."""
    text = Cast(field, output_field=TextField())
    alias = f"_{field}_text"
    q = Q(**{f"{alias}__contains": f'"{ALL}"'}) | Q(**{f"{alias}__contains": f'"{code}'})
    for i in range(1, len(code)):
        q |= Q(**{f"{alias}__contains": f'"{code[:i]}"'})
    return q, alias, text


def _truthy(value: Any) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on", "是")


def policy_filter(qs: QuerySet[Policy], filters: dict | None) -> QuerySet[Policy]:
    """Filters: ``department`` (code or id), ``level``, ``benefit_type``, ``industry``
    (e.g. "C", "C34", "C3411"), ``district`` (division or zone code), ``open``, ``auto_grant``."""
    filters = filters or {}
    department = filters.get("department")
    if department not in (None, ""):
        qs = qs.filter(department_id=department) if str(department).isdigit() else qs.filter(department__code=department)
    for field in ("level", "benefit_type"):
        value = filters.get(field)
        if value not in (None, ""):
            qs = qs.filter(**{field: value})
    for field, key in (("industries", "industry"), ("districts", "district")):
        code = (filters.get(key) or "").strip().upper() if key == "industry" else (filters.get(key) or "").strip()
        if code:
            q, alias, text = _code_facet_q(field, code)
            qs = qs.alias(**{alias: text}).filter(q)
    is_open = _truthy(filters.get("open"))
    if is_open is True:
        qs = qs.filter(open_now_q())
    elif is_open is False:
        qs = qs.exclude(open_now_q())
    auto = _truthy(filters.get("auto_grant"))
    if auto is not None:
        qs = qs.filter(auto_grant=auto)
    return qs


def _search_base(*, q: str, filters: dict | None) -> QuerySet[Policy]:
    qs = policy_filter(policies_published(), filters)
    if (q or "").strip():
        return apply_text_query(qs, q)
    return qs.annotate(rank=Value(0.0, output_field=FloatField()))


def policy_search(*, q: str = "", filters: dict | None = None, order: str = "relevance") -> QuerySet[Policy]:
    """Published policies matching the Chinese query ``q`` and ``filters``, ranked.

    Each row carries ``rank`` (ts_rank on PostgreSQL, 1.0 on the SQLite fallback, 0 with no
    query), its department and its interpretations (prefetched, so that
    ``highlight(policy, q)`` needs no further query). ``order``: relevance | deadline | newest.
    """
    qs = _search_base(q=q, filters=filters)
    qs = qs.select_related("department").prefetch_related(
        Prefetch("interpretations", queryset=Interpretation.objects.order_by("position", "id"))
    )
    if order == "deadline":
        # Open deadlines soonest first, then those without a deadline, then closed ones.
        today = _today()
        qs = qs.annotate(
            _deadline_group=Case(
                When(apply_end__gte=today, then=Value(0)),
                When(apply_end__isnull=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("_deadline_group", "apply_end", "-published_at", "-id")
    elif order == "newest" or not (q or "").strip():
        qs = qs.order_by(F("published_at").desc(nulls_last=True), "-id")
    else:
        qs = qs.order_by("-rank", F("published_at").desc(nulls_last=True), "-id")
    return qs


def policy_search_results(*, q: str = "", filters: dict | None = None, order: str = "relevance", limit: int = 20, offset: int = 0) -> list[dict]:
    """One page of search results with highlight snippets: ``[{"policy", "title", "snippet", "rank"}]``."""
    rows = list(policy_search(q=q, filters=filters, order=order)[offset : offset + limit])
    out = []
    for policy in rows:
        marked = highlight(policy, q)
        out.append({"policy": policy, "title": marked["title"], "snippet": marked["snippet"], "rank": policy.rank})
    return out


def policy_facets(*, q: str = "", filters: dict | None = None) -> dict:
    """Counts for the search page over the current result set (two queries):
    ``{"department": [{"value","label","count"}], "level", "benefit_type", "industry",
    "district", "open": n, "auto_grant": n, "total": n}``."""
    base = _search_base(q=q, filters=filters).order_by()
    open_case = Case(When(open_now_q(), then=Value(True)), default=Value(False), output_field=BooleanField())
    rows = list(
        base.annotate(_open=open_case).values(
            "id", "department__code", "department__name", "level", "benefit_type", "auto_grant", "industries", "districts", "_open"
        )
    )
    departments: Counter = Counter()
    labels: dict[str, str] = {}
    levels: Counter = Counter()
    benefits: Counter = Counter()
    industries: Counter = Counter()
    districts: Counter = Counter()
    open_n = auto_n = 0
    seen = set()
    for row in rows:
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        departments[row["department__code"]] += 1
        labels[row["department__code"]] = row["department__name"]
        levels[row["level"]] += 1
        benefits[row["benefit_type"]] += 1
        for code in set(row["industries"] or [ALL]):
            industries[code] += 1
        for code in set(row["districts"] or [ALL]):
            districts[code] += 1
        open_n += 1 if row["_open"] else 0
        auto_n += 1 if row["auto_grant"] else 0
    level_labels = dict(PolicyLevel.choices)
    benefit_labels = dict(BenefitType.choices)
    return {
        "total": len(seen),
        "department": [{"value": c, "label": labels[c], "count": n} for c, n in departments.most_common()],
        "level": [{"value": c, "label": str(level_labels.get(c, c)), "count": n} for c, n in levels.most_common()],
        "benefit_type": [
            {"value": c, "label": str(benefit_labels.get(c, c)), "count": n} for c, n in benefits.most_common()
        ],
        "industry": [{"value": c, "label": _industry_label(c), "count": n} for c, n in industries.most_common()],
        "district": [{"value": c, "label": _district_label(c), "count": n} for c, n in districts.most_common()],
        "open": open_n,
        "auto_grant": auto_n,
    }


def _industry_label(code: str) -> str:
    if code == ALL:
        return "不限行业"
    try:
        from enterprises.reference import industry_name

        return industry_name(code) or code
    except Exception:  # noqa: BLE001 - a label is never worth failing a page
        return code


def _district_label(code: str) -> str:
    if code == ALL:
        return "不限区域"
    for fn in ("district_name", "zone_name"):
        try:
            from enterprises import reference

            name = getattr(reference, fn)(code)
            if name:
                return name
        except Exception:  # noqa: BLE001
            continue
    return {"41": "河南省", "4101": "郑州市", "410100": "郑州市"}.get(code, code)


# --- versions ----------------------------------------------------------------------------------


def policy_versions(*, policy: Policy) -> QuerySet[PolicyVersion]:
    return policy.versions.select_related("changed_by").order_by("-number")


# --- reach preview --------------------------------------------------------------------------------


def policy_reach(*, policy: Policy, as_of: dt.date | None = None, top: int = 20) -> dict:
    """How many registry enterprises the policy's criteria reach, computed in the
    database (compiled criteria, one aggregate query per breakdown):
    ``{"count", "eligible", "possible", "by_district": [{"code","name","eligible","possible"}],
    "by_industry": [...], "total_award", "award_unknown", "as_of"}``.
    ``count`` is eligible + possible; ``total_award`` sums the award over eligible enterprises
    whose amount is known (``award_unknown`` counts the others)."""
    from enterprises.models import Enterprise
    from matching.criteria import compile_award, compile_tree

    today = as_of or _today()
    compiled = compile_tree(policy.criteria or {}, as_of=today)
    eligible_q, not_eligible_q = compiled.eligible_q, compiled.not_eligible_q
    # Enterprises that are not "not eligible": eligible or possible.
    reached = Enterprise.objects.exclude(not_eligible_q)

    aggregates: dict[str, Any] = {"eligible": Count("id", filter=eligible_q), "count": Count("id")}
    award_expr = compile_award(policy.award, as_of=today) if policy.award else None
    if award_expr is not None:
        aggregates["total_award"] = Sum(award_expr, filter=eligible_q)
        aggregates["award_known"] = Count(award_expr, filter=eligible_q)
    totals = reached.aggregate(**aggregates)
    eligible = totals["eligible"] or 0
    count = totals["count"] or 0

    def breakdown(key: str, expr) -> list[dict]:
        rows = (
            reached.annotate(**{key: expr})
            .values(key)
            .annotate(eligible=Count("id", filter=eligible_q), reached=Count("id"))
            .order_by("-reached", key)
        )
        return [
            {"code": r[key] or "", "eligible": r["eligible"], "possible": r["reached"] - r["eligible"]}
            for r in rows[:top]
        ]

    by_district = breakdown("_district", F("district"))
    for row in by_district:
        row["name"] = _district_label(row["code"]) if row["code"] else "未知"
    by_industry = breakdown("_section", Substr("industry", 1, 1))
    for row in by_industry:
        row["name"] = _industry_label(row["code"]) if row["code"] else "未知行业"
    total_award = totals.get("total_award")
    return {
        "as_of": today.isoformat(),
        "count": count,
        "eligible": eligible,
        "possible": count - eligible,
        "by_district": by_district,
        "by_industry": by_industry,
        "total_award": Decimal(total_award).quantize(Decimal("0.01")) if total_award is not None else (Decimal("0.00") if award_expr is not None else None),
        "award_unknown": (eligible - (totals.get("award_known") or 0)) if award_expr is not None else 0,
    }


def departments_all() -> QuerySet[Department]:
    return Department.objects.prefetch_related("service_points").order_by("code")
