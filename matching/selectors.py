"""Reads of the matching pipeline for the pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from matching.models import ChannelPreference, Match, MatchStatus


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


def channel_preferences_get(*, enterprise_id: int) -> ChannelPreference:
    """The stored preferences, or unsaved defaults (in-app only)."""
    return ChannelPreference.objects.filter(enterprise_id=enterprise_id).first() or ChannelPreference(
        enterprise_id=enterprise_id
    )
