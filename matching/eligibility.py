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
from matching.criteria.award_kind import award_certain, award_kind_label
from matching.profiles import profile_load
from policies.briefs import PolicyBrief, policies_published_briefs


class AwardKindOfPolicy:
    """The kind of the award of an item's ``policy`` (a brief): what the pages show beside the
    amount. Mixed into the items of this module and of 我的政策."""

    @property
    def kind(self) -> str | None:
        """定额 / 按比例 / 分档 / 最高不超过 / 评审择优 (``Policy.award_kind``)."""
        return self.policy.award_kind

    @property
    def certain(self) -> bool:
        return award_certain(self.kind)

    @property
    def kind_label(self) -> str:
        return award_kind_label(self.kind)


@dataclass
class EligibilityItem(AwardKindOfPolicy):
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
    counted: bool = True  # in 「确定可享」 (see ``awards_totals``)
    counted_max: bool = True  # in 「最高可申」


@dataclass
class AwardTotals:
    """What the eligible policies grant: 「确定可享」 counts only the awards an eligible
    enterprise receives as computed (定额, 按比例, 分档); 「最高可申」 adds the ceilings
    (最高不超过) and the prizes decided by review (评审择优). Closed windows never count;
    within an exclusive group (从高不重复) only the highest award counts, in each figure."""

    certain: Decimal
    most: Decimal


@dataclass
class EligibilityResult:
    as_of: dt.date
    eligible: list[EligibilityItem]
    possible: list[EligibilityItem]
    near: list[EligibilityItem]
    totals: AwardTotals

    @property
    def total(self) -> Decimal:
        """「确定可享」: the headline figure."""
        return self.totals.certain


def _best_per_group(items: list[Any], flag: str) -> Decimal:
    """Sum the known amounts of ``items``, only the highest within an exclusive group; sets
    ``flag`` on each item to whether it counts."""
    best: dict[str, Any] = {}
    for item in items:
        group = item.policy.exclusive_group
        if group and item.amount is not None and (group not in best or item.amount > best[group].amount):
            best[group] = item
    for item in items:
        group = item.policy.exclusive_group
        setattr(item, flag, not (group and group in best and best[group] is not item))
    return sum((i.amount for i in items if getattr(i, flag) and i.amount is not None), Decimal(0))


def awards_totals(items: Iterable[Any]) -> AwardTotals:
    """The one rule for an enterprise's totals (我的政策, the calculator, the eligibility API):
    see ``AwardTotals``. Items need ``amount``, ``closed``, ``policy.exclusive_group`` and
    ``policy.award_kind``; their ``counted`` (in 「确定可享」) and ``counted_max`` (in
    「最高可申」) are set. A closed item counts in neither and outbids no open one."""
    items = list(items)
    for item in items:
        item.counted = item.counted_max = False
    available = [i for i in items if not i.closed]
    certain = _best_per_group([i for i in available if award_certain(i.policy.award_kind)], "counted")
    most = _best_per_group(available, "counted_max")
    return AwardTotals(certain=certain, most=most)


def awards_total(items: Iterable[Any]) -> Decimal:
    """「确定可享」 of ``awards_totals``."""
    return awards_totals(items).certain


def policies_in_force(*, as_of: dt.date) -> list[PolicyBrief]:
    """Published policies in force on ``as_of`` (the ones matching evaluates), by id."""
    return sorted((b for b in policies_published_briefs() if b.in_force(as_of)), key=lambda b: b.id)


def eligibility_for_profile(*, profile: Profile, as_of: dt.date) -> EligibilityResult:
    """Evaluate every published policy in force on ``as_of`` on a stated profile: eligible
    and possible ones with their award, near misses with the condition that fails, and the
    totals of the eligible awards (``awards_totals``). Items are in policy id order."""
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
    totals = awards_totals(eligible)
    return EligibilityResult(as_of=as_of, eligible=eligible, possible=possible, near=near, totals=totals)


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
