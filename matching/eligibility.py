"""Eligibility of one stated profile against every published policy in force: the one loop
behind the eligibility API (``POST /api/v1/eligibility/``) and the policy calculator
(政策计算器), and the one rule for the total an enterprise can expect (我的政策 uses it too).

Nothing is stored; the criteria engine evaluates, the policy library says which policies
count and whether their application window has closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from matching.criteria import ELIGIBLE, POSSIBLE, Profile, award_amount, evaluate, near_misses
from matching.profiles import profile_load
from policies.briefs import PolicyBrief, policies_published_briefs


@dataclass
class EligibilityItem:
    """One policy's verdict on the profile."""

    policy: PolicyBrief
    status: str  # "eligible", "possible" or "near" (not eligible, one condition away)
    amount: Decimal | None = None  # eligible and possible: the award, when it can be computed
    amount_text: str = ""
    reasons: list[str] = field(default_factory=list)
    missing: list[Any] = field(default_factory=list)  # possible: the data the criteria lack
    award_missing: list[Any] = field(default_factory=list)  # the data the award formula lacks
    unmet: list[Any] = field(default_factory=list)  # near: the engine's NearMiss objects
    closed: bool = False  # the application window has ended (``Policy.is_closed``)
    counted: bool = True  # in the total (see ``awards_total``)


@dataclass
class EligibilityResult:
    as_of: dt.date
    eligible: list[EligibilityItem]
    possible: list[EligibilityItem]
    near: list[EligibilityItem]
    total: Decimal  # what the eligible policies grant, closed ones left out, 从高不重复


def awards_total(items: Iterable[Any]) -> Decimal:
    """The sum of the known amounts where, within an exclusive group (从高不重复), only the
    highest award counts; the others get ``counted = False``. Items whose application window
    has closed (``item.closed``) are not available, so they count for nothing (and do not
    outbid an open one of their group).

    Items need ``amount``, ``closed``, ``counted`` and ``policy.exclusive_group``."""
    best: dict[str, Any] = {}
    available = [i for i in items if not getattr(i, "closed", False)]
    for item in available:
        group = item.policy.exclusive_group
        if group and item.amount is not None and (group not in best or item.amount > best[group].amount):
            best[group] = item
    for item in available:
        group = item.policy.exclusive_group
        item.counted = not (group and group in best and best[group] is not item)
    return sum((i.amount for i in available if i.counted and i.amount is not None), Decimal(0))


def policies_in_force(*, as_of: dt.date) -> list[PolicyBrief]:
    """Published policies in force on ``as_of`` (the ones matching evaluates), by id."""
    return sorted((b for b in policies_published_briefs() if b.in_force(as_of)), key=lambda b: b.id)


def eligibility_for_profile(*, profile: Profile, as_of: dt.date) -> EligibilityResult:
    """Evaluate every published policy in force on ``as_of`` on a stated profile: eligible
    and possible ones with their award, near misses with the condition that fails, and the
    total of the eligible awards (closed windows left out). Items are in policy id order."""
    eligible: list[EligibilityItem] = []
    possible: list[EligibilityItem] = []
    near: list[EligibilityItem] = []
    for brief in policies_in_force(as_of=as_of):
        tree = brief.criteria or {}
        evaluation = evaluate(tree, profile, as_of=as_of)
        if evaluation.result in (ELIGIBLE, POSSIBLE):
            item = EligibilityItem(
                policy=brief,
                status="eligible" if evaluation.result == ELIGIBLE else "possible",
                reasons=[str(r) for r in evaluation.reasons or []],
                missing=list(evaluation.missing or []),
                closed=brief.is_closed(as_of),
            )
            if brief.award:
                award = award_amount(brief.award, profile, as_of=as_of)
                item.amount, item.amount_text = award.amount, award.text or ""
                item.award_missing = list(award.missing or []) if award.amount is None else []
            (eligible if evaluation.result == ELIGIBLE else possible).append(item)
            continue
        misses = near_misses(tree, profile, as_of=as_of)
        if misses:
            near.append(
                EligibilityItem(
                    policy=brief, status="near", unmet=list(misses), closed=brief.is_closed(as_of)
                )
            )
    total = awards_total(eligible)
    return EligibilityResult(as_of=as_of, eligible=eligible, possible=possible, near=near, total=total)


def _jsonable(item):
    if isinstance(item, dict | str | int | float) or item is None:
        return item
    if hasattr(item, "__dict__"):
        return {
            k: (v if isinstance(v, str | int | float | bool) or v is None else str(v))
            for k, v in vars(item).items()
        }
    return str(item)


def matches_explained(
    *, enterprise_id: int, matches: Iterable[Any], as_of: dt.date | None = None
) -> list[dict]:
    """Stored matches with their reasons and missing data, explained on read.

    The set-based run stores who matches, not why: the why is the criteria engine's
    evaluation of the policy's tree on the enterprise's profile (one profile load per call,
    one in-memory evaluation per match). ``matches`` need ``policy`` loaded."""
    matches = list(matches)
    if not matches:
        return []
    as_of = as_of or timezone.localdate()
    profile = profile_load(enterprise_id, as_of=as_of)
    rows = []
    for match in matches:
        policy = match.policy
        evaluation = evaluate(policy.criteria or {}, profile, as_of=as_of)
        missing = match.missing if match.missing else [_jsonable(m) for m in (evaluation.missing or [])]
        rows.append(
            {
                "policy": match.policy_id,
                "title": policy.title,
                "status": match.status,
                "amount": match.amount,
                "reasons": [str(r) for r in (evaluation.reasons or [])],
                "missing": missing if match.status == "possible" else [],
                "matched_at": match.matched_at,
            }
        )
    return rows
