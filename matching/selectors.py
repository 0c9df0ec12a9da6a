"""Reads of the matching pipeline for the pages and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet, Sum

from matching.criteria.award_kind import DECLARED_KINDS
from matching.models import ChannelPreference, Match, MatchStatus
from policies.models import Policy
from policies.selectors import policies_closed_q


def matches_for_enterprise(*, enterprise_id: int, include_ended: bool = False) -> QuerySet[Match]:
    """The enterprise's matches with their policies (one query), newest first."""
    qs = Match.objects.filter(enterprise_id=enterprise_id).select_related("policy", "policy__department")
    if not include_ended:
        qs = qs.exclude(status=MatchStatus.ENDED)
    return qs.order_by("-matched_at", "-policy_id")


def matches_for_policy(*, policy_id: int, include_ended: bool = False) -> QuerySet[Match]:
    qs = Match.objects.filter(policy_id=policy_id)
    if not include_ended:
        qs = qs.exclude(status=MatchStatus.ENDED)
    return qs


def matches_certain_amount(matches: QuerySet[Match], *, on: dt.date) -> Decimal:
    """The 「确定可享」 sum of ``matches`` on ``on``, as ``matching.eligibility.awards_totals``
    counts it for one enterprise: eligible matches only, no ceiling or prize
    (``award_kind.DECLARED_KINDS``), no policy whose application window closed before ``on``.
    A figure over many enterprises (home page, dashboard): exclusive groups are not netted."""
    total = (
        matches.filter(status=MatchStatus.ELIGIBLE)
        .exclude(policy__award_basis__in=DECLARED_KINDS)
        .exclude(policy__in=Policy.objects.filter(policies_closed_q(on=on)))
        .aggregate(s=Sum("amount"))["s"]
    )
    return total or Decimal(0)


def channel_preferences_get(*, enterprise_id: int) -> ChannelPreference:
    """The stored preferences, or unsaved defaults (in-app only)."""
    return ChannelPreference.objects.filter(enterprise_id=enterprise_id).first() or ChannelPreference(
        enterprise_id=enterprise_id
    )
