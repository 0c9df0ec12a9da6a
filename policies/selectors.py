"""Reads of the policy library: published/active policies, search with facets, the
reach preview, versions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
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
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseTag
from enterprises.reference import district_name, industry_name
from matching.criteria import compile_award, compile_tree

from .models import BenefitType, Department, Interpretation, Policy, PolicyLevel, PolicyStatus, PolicyVersion
from .permissions import (  # noqa: F401 - re-exported (interfaces.md)
    user_can_edit_policy,
    user_can_publish_policy,
    user_department_ids,
)
from .rules import ALL, required_tag_sets
from .search import apply_text_query, highlight  # noqa: F401 - re-exported

ORDERS = ("relevance", "deadline", "newest")
# Policy columns that only the database reads (search); list pages do not fetch them.
SEARCH_VECTORS = ("search_vector", "search_rank_vector")


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


def policies_open_q(*, on: dt.date | None = None) -> Q:
    """``Policy.is_open(on)`` in SQL: published and within the application window on ``on``
    (Shanghai's today by default; a missing start or end is open on that side)."""
    on = on or _today()
    return Q(
        Q(status=PolicyStatus.PUBLISHED),
        Q(apply_start__isnull=True) | Q(apply_start__lte=on),
        Q(apply_end__isnull=True) | Q(apply_end__gte=on),
    )


def policies_closed_q(*, on: dt.date | None = None) -> Q:
    """``Policy.is_closed(on)`` in SQL (``models.application_closed``): the application window
    ended before ``on``; never a 免申即享 policy."""
    return Q(auto_grant=False, apply_end__lt=on or _today())


def policies_open(*, on: dt.date | None = None) -> QuerySet[Policy]:
    """Policies open for application on ``on``."""
    return Policy.objects.filter(policies_open_q(on=on))


def policies_visible_to(*, department_ids: Collection[int] | None) -> QuerySet[Policy]:
    """What a caller who works for ``department_ids`` may see: published policies, and every
    status (drafts, in review, withdrawn …) of those departments; ``None`` means all
    departments (a superuser). The API works out the departments of a person or an API key."""
    qs = Policy.objects.all()
    if department_ids is None:
        return qs
    if department_ids:
        return qs.filter(Q(status=PolicyStatus.PUBLISHED) | Q(department_id__in=list(department_ids)))
    return qs.filter(status=PolicyStatus.PUBLISHED)


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
        qs = (
            qs.filter(department_id=department)
            if str(department).isdigit()
            else qs.filter(department__code=department)
        )
    for field in ("level", "benefit_type"):
        value = filters.get(field)
        if value not in (None, ""):
            qs = qs.filter(**{field: value})
    for field, key in (("industries", "industry"), ("districts", "district")):
        code = (
            (filters.get(key) or "").strip().upper()
            if key == "industry"
            else (filters.get(key) or "").strip()
        )
        if code:
            q, alias, text = _code_facet_q(field, code)
            qs = qs.alias(**{alias: text}).filter(q)
    is_open = _truthy(filters.get("open"))
    if is_open is True:
        qs = qs.filter(policies_open_q())
    elif is_open is False:
        qs = qs.exclude(policies_open_q())
    auto = _truthy(filters.get("auto_grant"))
    if auto is not None:
        qs = qs.filter(auto_grant=auto)
    return qs


def _search_base(*, q: str, filters: dict | None) -> QuerySet[Policy]:
    qs = policy_filter(policies_published(), filters)
    if (q or "").strip():
        return apply_text_query(qs, q)
    return qs.annotate(
        rank=Value(0.0, output_field=FloatField()), title_match=Value(0, output_field=IntegerField())
    )


def policy_search(
    *,
    q: str = "",
    filters: dict | None = None,
    order: str = "relevance",
    with_total: bool = False,
    interpretations: bool = True,
) -> QuerySet[Policy]:
    """Published policies matching the Chinese query ``q`` and ``filters``, ranked.

    Each row carries ``rank`` (ts_rank on PostgreSQL, 1.0 on the SQLite fallback, 0 with no
    query), its department and its interpretations (prefetched, so that
    ``highlight(policy, q)`` needs no further query; ``interpretations=False`` leaves them
    out, for callers that make their snippets with ``policies.search.snippets``, which reads
    them only where needed). ``order``: relevance | deadline | newest.
    ``with_total``: each row also carries ``search_total``, the number of hits (a window
    count), so that a page and the count come from one query (see ``TotalPaginator``)
    instead of a second query that filters the full-text index again.
    """
    qs = _search_base(q=q, filters=filters)
    if with_total:
        qs = qs.annotate(search_total=Window(Count("*")))
    # The tsvectors are for the database only: not fetched (a page would otherwise read,
    # detoast and print ~4 kB of vector per row).
    qs = qs.select_related("department").defer(*SEARCH_VECTORS)
    if interpretations:
        qs = qs.prefetch_related(
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
        # title matches first (both databases), then the rank, then the newest
        qs = qs.order_by("-title_match", "-rank", F("published_at").desc(nulls_last=True), "-id")
    return qs


def policy_search_unpublished(
    *,
    department_ids: Collection[int] | None,
    status: str,
    q: str = "",
    filters: dict | None = None,
    order: str = "newest",
) -> QuerySet[Policy]:
    """The caller's departments' policies in ``status`` (draft, in review, withdrawn …), with the
    filters and the text query of ``policy_search``; soonest deadline first for ``order``
    "deadline", else newest first."""
    qs = policies_visible_to(department_ids=department_ids).exclude(status=PolicyStatus.PUBLISHED)
    qs = policy_filter(qs.filter(status=status), filters)
    if (q or "").strip():
        qs = apply_text_query(qs, q)
    return qs.order_by("apply_end" if order == "deadline" else "-id")


def policy_search_results(
    *, q: str = "", filters: dict | None = None, order: str = "relevance", limit: int = 20, offset: int = 0
) -> list[dict]:
    """One page of search results with highlight snippets: ``[{"policy", "title", "snippet", "rank"}]``."""
    rows = list(policy_search(q=q, filters=filters, order=order)[offset : offset + limit])
    out = []
    for policy in rows:
        marked = highlight(policy, q)
        out.append(
            {"policy": policy, "title": marked["title"], "snippet": marked["snippet"], "rank": policy.rank}
        )
    return out


def policy_facets(*, q: str = "", filters: dict | None = None) -> dict:
    """Counts for the search page over the current result set (two queries):
    ``{"department": [{"value","label","count"}], "level", "benefit_type", "industry",
    "district", "open": n, "auto_grant": n, "total": n}``."""
    base = _search_base(q=q, filters=filters).order_by()
    open_case = Case(
        When(policies_open_q(), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    rows = list(
        base.annotate(_open=open_case).values(
            "id",
            "department__code",
            "department__name",
            "level",
            "benefit_type",
            "auto_grant",
            "industries",
            "districts",
            "_open",
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
        "level": [
            {"value": c, "label": str(level_labels.get(c, c)), "count": n} for c, n in levels.most_common()
        ],
        "benefit_type": [
            {"value": c, "label": str(benefit_labels.get(c, c)), "count": n}
            for c, n in benefits.most_common()
        ],
        "industry": [
            {"value": c, "label": _industry_label(c), "count": n} for c, n in industries.most_common()
        ],
        "district": [
            {"value": c, "label": _district_label(c), "count": n} for c, n in districts.most_common()
        ],
        "open": open_n,
        "auto_grant": auto_n,
    }


def _industry_label(code: str) -> str:
    """The section's or division's name (the code itself when unknown)."""
    return "不限行业" if code == ALL else industry_name(code)


# Prefixes a policy may name that are wider than a district (the province, the city).
_WIDER_AREAS = {"41": "河南省", "4101": "郑州市"}


def _district_label(code: str) -> str:
    """A district's or zone's name, or the province's or city's (the code itself when unknown)."""
    if code == ALL:
        return "不限区域"
    return _WIDER_AREAS.get(code) or district_name(code)


# --- versions ----------------------------------------------------------------------------------


def policy_versions(*, policy: Policy) -> QuerySet[PolicyVersion]:
    return policy.versions.select_related("changed_by").order_by("-number")


# --- reach preview --------------------------------------------------------------------------------


def policy_reach(*, policy: Policy, as_of: dt.date | None = None, top: int = 20) -> dict:
    """How many registry enterprises the policy's criteria reach, computed in the
    database from the compiled criteria and award in ONE aggregate query grouped by
    (district, industry section), from which the totals and both breakdowns are summed:
    ``{"count", "eligible", "possible", "by_district": [{"code","name","eligible","possible"}],
    "by_industry": [...], "total_award", "award_unknown", "as_of"}``.
    ``count`` is eligible + possible; ``total_award`` sums the award over eligible enterprises
    whose amount is known (``award_unknown`` counts the others; None when there is no award)."""
    today = as_of or _today()
    compiled = compile_tree(policy.criteria or {}, as_of=today)
    eligible_q, not_eligible_q = compiled.eligible_q, compiled.not_eligible_q
    # Enterprises that are not "not eligible": eligible or possible.

    reached = Enterprise.objects.all()
    for names in required_tag_sets(policy.criteria):
        # Necessary for "not not eligible": narrows the scan (hashed semi-join) before the
        # per-row evaluation of the compiled tree.
        reached = reached.filter(
            pk__in=EnterpriseTag.objects.filter(tag__name__in=names).values("enterprise_id")
        )
    reached = reached.exclude(not_eligible_q)
    award_expr = compile_award(policy.award, as_of=today) if policy.award else None
    # The compiled tree is evaluated once per row (a CASE in an inner query kept from being
    # flattened by OFFSET 0); the outer query groups by (district, industry section).
    inner = reached.annotate(
        _district=F("district"),
        _section=Substr("industry", 1, 1),
        _eligible=Case(When(eligible_q, then=Value(1)), default=Value(0), output_field=IntegerField())
        if eligible_q
        else Value(1, output_field=IntegerField()),  # an empty tree: everyone
    )
    columns = ["_district", "_section", "_eligible"]
    if award_expr is not None:
        inner = inner.annotate(_award=award_expr)
        columns.append("_award")
    sql, params = inner.values(*columns).query.sql_with_params()
    award_sql = (
        "sum(CASE WHEN t._eligible = 1 THEN t._award END), count(CASE WHEN t._eligible = 1 THEN t._award END)"
        if award_expr is not None
        else "NULL, 0"
    )
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The semi-join's row estimate is poor (tag holders), which makes the planner walk
            # the primary key once per holder; a hash join over one sequential scan is far
            # cheaper at 1,000,000 rows. JIT compilation costs more than it saves here.
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL jit = off")
            # The criteria compile to sets of up to a million enterprise ids; with the default
            # 4 MB they cannot be hashed and are probed row by row (15.7 s → 7.5 s measured).
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            f"SELECT t._district, t._section, count(*), sum(t._eligible), {award_sql} "
            f"FROM ({sql}{fence}) t GROUP BY t._district, t._section",
            params,
        )
        rows = [
            {
                "_district": d,
                "_section": sec,
                "reached": n,
                "eligible": int(e or 0),
                "award": a,
                "award_known": k,
            }
            for d, sec, n, e, a, k in cursor.fetchall()
        ]
    by_district: Counter = Counter()
    by_district_eligible: Counter = Counter()
    by_section: Counter = Counter()
    by_section_eligible: Counter = Counter()
    eligible = count = award_known = 0
    total_award = Decimal("0")
    for row in rows:
        d, sec = row["_district"] or "", row["_section"] or ""
        by_district[d] += row["reached"]
        by_district_eligible[d] += row["eligible"]
        by_section[sec] += row["reached"]
        by_section_eligible[sec] += row["eligible"]
        eligible += row["eligible"]
        count += row["reached"]
        if award_expr is not None:
            total_award += Decimal(row["award"] or 0)
            award_known += row["award_known"] or 0

    def breakdown(reach: Counter, elig: Counter, label) -> list[dict]:
        ordered = sorted(reach.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [
            {"code": code, "name": label(code), "eligible": elig[code], "possible": n - elig[code]}
            for code, n in ordered
        ]

    return {
        "as_of": today.isoformat(),
        "count": count,
        "eligible": eligible,
        "possible": count - eligible,
        "by_district": breakdown(
            by_district, by_district_eligible, lambda c: _district_label(c) if c else "未知"
        ),
        "by_industry": breakdown(
            by_section, by_section_eligible, lambda c: _industry_label(c) if c else "未知行业"
        ),
        "total_award": total_award.quantize(Decimal("0.01")) if award_expr is not None else None,
        "award_unknown": (eligible - award_known) if award_expr is not None else 0,
    }


def departments_all() -> QuerySet[Department]:
    return Department.objects.prefetch_related("service_points").order_by("code")
