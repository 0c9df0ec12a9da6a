"""Reads for the enterprise-facing pages.

Everything an enterprise sees is scoped by the enterprise the caller passes in (the
views pass ``request.enterprise``, which the accounts decorators set from the logged-in
user): no selector here takes an enterprise id from the URL.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone

from enterprises.models import Enterprise
from inbox.selectors import inbox_unread_count
from matching.criteria import award_amount, evaluate, near_misses
from matching.criteria.evaluate import missing_labels
from matching.eligibility import AwardKindOfPolicy, awards_totals
from matching.models import Match, MatchStatus
from matching.profiles import profile_load
from matching.selectors import matches_certain_amount
from policies.briefs import (  # noqa: F401 - _briefs re-exported for the tests' cache reset
    PolicyBrief,
    _briefs,
    policies_fingerprint,
    policies_published_briefs,
)
from policies.models import WINDOW_ENDED, Policy, PolicyStatus
from policies.selectors import policies_open_q

FIGURES_CACHE_SECONDS = 600
NEAR_MISS_CACHE_SECONDS = 600
DEADLINE_SOON_DAYS = 30


# ---------------------------------------------------------------------------
# policies
# ---------------------------------------------------------------------------


def policies_public() -> QuerySet[Policy]:
    """Published policies (the only ones the public pages show)."""
    return Policy.objects.filter(status=PolicyStatus.PUBLISHED)


def policies_newest(*, limit: int = 6) -> list[Policy]:
    return list(policies_public().select_related("department").order_by("-published_at", "-id")[:limit])


def policies_closing_soon(*, limit: int = 6, within_days: int = DEADLINE_SOON_DAYS) -> list[Policy]:
    today = timezone.localdate()
    return list(
        policies_public()
        .filter(policies_open_q(on=today), apply_end__lte=today + datetime.timedelta(days=within_days))
        .select_related("department")
        .order_by("apply_end", "id")[:limit]
    )


def portal_figures() -> dict[str, Any]:
    """Headline figures for the home page, cached for a few minutes (counting a
    million-row match table on every home-page view would be wasteful). Keyed by the date:
    what is open changes at midnight (Shanghai)."""
    today = timezone.localdate()
    key = f"web:figures:{today.isoformat()}"
    figures = cache.get(key)
    if figures is not None:
        return figures

    published = policies_public()
    active = Match.objects.exclude(status=MatchStatus.ENDED)
    figures = {
        "policies": published.count(),
        "open_policies": published.filter(policies_open_q(on=today)).count(),
        "enterprises": Enterprise.objects.count(),
        "reached": active.values("enterprise_id").distinct().count(),
        "amount": matches_certain_amount(active, on=today),
        "auto_grant": published.filter(auto_grant=True).count(),
    }
    cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def policy_for_page(*, policy_id: int) -> Policy | None:
    """A published policy with what its page shows, in a fixed number of queries."""
    return (
        policies_public()
        .select_related("department", "service_point")
        .prefetch_related("interpretations", "materials", "attachments", "co_departments")
        .filter(pk=policy_id)
        .first()
    )


def policy_facets_cached(*, q: str, filters: dict, compute) -> dict:
    """Facet counts of a search, cached until a published policy changes or the date does
    (counting means reading every matching policy row; the published set changes rarely, and
    the "open" count changes at midnight)."""
    stamp = policies_public().aggregate(n=Count("id"), t=Max("updated_at"), v=Sum("version"))
    raw = json.dumps(
        [q, filters, stamp["n"], str(stamp["t"]), stamp["v"], timezone.localdate().isoformat()],
        sort_keys=True,
        ensure_ascii=False,
    )
    key = "web:facets:" + hashlib.sha1(raw.encode()).hexdigest()
    facets = cache.get(key)
    if facets is None:
        facets = compute(q=q, filters=filters)
        cache.set(key, facets, FIGURES_CACHE_SECONDS)
    return facets


# ---------------------------------------------------------------------------
# criteria trees: which fields the published policies use (for the calculator)
# ---------------------------------------------------------------------------


def criteria_conditions(tree: dict | None):
    """Yield every condition node of a criteria tree."""
    if not tree:
        return
    if "all" in tree:
        for child in tree["all"]:
            yield from criteria_conditions(child)
    elif "any" in tree:
        for child in tree["any"]:
            yield from criteria_conditions(child)
    elif "not" in tree:
        yield from criteria_conditions(tree["not"])
    elif "field" in tree:
        yield tree


def award_trees(award: dict | None):
    """The ``when`` trees of an award's cases."""
    for case in (award or {}).get("cases", []) or []:
        yield case.get("when") or {}


# ---------------------------------------------------------------------------
# "我的政策"
# ---------------------------------------------------------------------------


@dataclass
class MatchItem(AwardKindOfPolicy):
    policy: PolicyBrief
    status: str  # eligible | possible | near
    amount: Decimal | None = None
    amount_text: str = ""
    reasons: list[str] = field(default_factory=list)
    missing: list[Any] = field(default_factory=list)
    unmet: list[Any] = field(default_factory=list)
    matched_at: datetime.datetime | None = None
    is_new: bool = False
    days_left: int | None = None
    counted: bool = True  # in 「确定可享」 (``matching.eligibility.awards_totals``)
    counted_max: bool = True  # in 「最高可申」
    as_of: datetime.date | None = None  # the date the item was evaluated on (Shanghai's today)

    @property
    def urgent(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= DEADLINE_SOON_DAYS

    @property
    def closed(self) -> bool:
        """The application window has passed: nothing to apply for (``Policy.is_closed``)."""
        return self.policy.is_closed(self.as_of)


def _sort_key(item: MatchItem):
    # urgent first (deadline within 30 days), then the larger amount, then the nearer deadline
    amount = item.amount if item.amount is not None else Decimal(-1)
    deadline = item.days_left if item.days_left is not None and item.days_left >= 0 else 10**6
    return (1 if item.closed else 0, 0 if item.urgent else 1, -amount, deadline, item.policy.id)


def my_policies_overview(
    *, enterprise: Enterprise, since: datetime.datetime | None, as_of: datetime.date | None = None
) -> dict[str, Any]:
    """The enterprise's eligible and possible policies (from the match table, explained
    by the criteria engine), its near misses, what is new since ``since``, deadlines
    within 30 days and the totals: 「确定可享」 and 「最高可申」 (``awards_totals``)."""
    as_of = as_of or timezone.localdate()
    all_briefs = policies_published_briefs()
    briefs = {b.id: b for b in all_briefs}
    matches = list(
        Match.objects.filter(enterprise_id=enterprise.pk)
        .exclude(status=MatchStatus.ENDED)
        .only("policy_id", "status", "amount", "missing", "matched_at")
    )
    profile = profile_load(enterprise, as_of=as_of)

    eligible: list[MatchItem] = []
    possible: list[MatchItem] = []
    for m in matches:
        brief = briefs.get(m.policy_id)
        if brief is None:  # withdrawn or expired since the match was made
            continue
        ev = evaluate(brief.criteria, profile, as_of=as_of)
        item = MatchItem(
            policy=brief,
            status=m.status,
            amount=m.amount,
            reasons=list(ev.reasons or []),
            missing=missing_labels(m.missing) or missing_labels(ev.missing),
            matched_at=m.matched_at,
            is_new=bool(since and m.matched_at and m.matched_at > since),
            days_left=(brief.apply_end - as_of).days if brief.apply_end else None,
            as_of=as_of,
        )
        if brief.award:
            award = award_amount(brief.award, profile, as_of=as_of)
            item.amount_text = award.text or ""
            if item.amount is None:
                item.amount = award.amount
        (eligible if m.status == MatchStatus.ELIGIBLE else possible).append(item)

    totals = awards_totals(eligible)

    matched_ids = {m.policy_id for m in matches}
    near = near_misses_for_enterprise(
        enterprise=enterprise, profile=profile, as_of=as_of, exclude=matched_ids, briefs=all_briefs
    )

    eligible.sort(key=_sort_key)
    possible.sort(key=_sort_key)
    active = eligible + possible
    return {
        "eligible": eligible,
        "possible": possible,
        "near": near,
        "new": [i for i in active if i.is_new],
        "deadlines": sorted((i for i in active if i.urgent), key=lambda i: (i.days_left, i.policy.id)),
        "total": totals.certain,  # 「确定可享」
        "total_max": totals.most,  # 「最高可申」
        "profile": profile,
        "as_of": as_of,
    }


def near_misses_for_enterprise(
    *,
    enterprise: Enterprise,
    profile: Any,
    as_of: datetime.date,
    exclude: set[int],
    limit: int = 10,
    briefs: list[PolicyBrief] | None = None,
) -> list[MatchItem]:
    """Published policies the enterprise narrowly misses (one condition away), cached per
    enterprise, profile change and policy set: evaluating every policy's tree on each page
    view is the expensive part of "我的政策"."""
    briefs = briefs if briefs is not None else policies_published_briefs()
    key = (
        f"web:near:{enterprise.pk}:{enterprise.updated_at.timestamp() if enterprise.updated_at else 0}:"
        f"{policies_fingerprint()}:{as_of.isoformat()}"
    )
    cached = cache.get(key)
    if cached is None:
        # Most urgent first, and stop at ``limit``: the page shows a handful, and walking all
        # 2,000 trees on a first visit is what would make it slow.
        soon = as_of + datetime.timedelta(days=DEADLINE_SOON_DAYS)
        ordered = sorted(
            briefs,
            key=lambda b: (
                0 if b.apply_end and as_of <= b.apply_end <= soon else 1,
                0 if b.apply_end is None or b.apply_end >= as_of else 2,
                b.apply_end or datetime.date.max,
                b.id,
            ),
        )
        cached = []
        for brief in ordered:
            if brief.id in exclude or not brief.criteria or brief.window(as_of) == WINDOW_ENDED:
                continue
            misses = near_misses(brief.criteria, profile, as_of=as_of)
            if misses:
                cached.append((brief.id, [_near_text(n) for n in misses]))
                if len(cached) >= limit:
                    break
        cache.set(key, cached, NEAR_MISS_CACHE_SECONDS)
    by_id = {b.id: b for b in briefs}
    items = [
        MatchItem(
            policy=by_id[pid],
            status="near",
            unmet=texts,
            days_left=(by_id[pid].apply_end - as_of).days if by_id[pid].apply_end else None,
            as_of=as_of,
        )
        for pid, texts in cached
        if pid in by_id and pid not in exclude
    ]
    return items[:limit]


def _near_text(miss: Any) -> str:
    text = getattr(miss, "text", None)
    if text:
        return str(text)
    return f"{getattr(miss, 'field', '')}: {getattr(miss, 'needed', '')}"


# ---------------------------------------------------------------------------
# notifications
# ---------------------------------------------------------------------------


def notifications_unread_count(*, enterprise_id: int) -> int:
    """Unread match pushes and application / appeal / grant messages (the inbox badge)."""
    return inbox_unread_count(enterprise_id=enterprise_id)
