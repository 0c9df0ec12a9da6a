"""Re-match changed enterprises against every published policy, in Python.

A worker keeps the published policies' trees parsed in memory, keyed by
(policy id, matching version, creation time), and refreshes only what changed; a generation
counter in the cache (bumped whenever a policy run is scheduled) saves even the
id/version query when nothing changed. One enterprise costs: its profile (a few
queries), its existing match rows (one query), 2,000 evaluations, and one write
of each kind of change. Gains are pushed, losses get ``ended`` and a "lost" notice;
nothing is deleted.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise
from matching import tasks
from matching.criteria import award_amount, evaluate
from matching.criteria.evaluate import compile_evaluator, leaf_outcome
from matching.models import Match, MatchStatus, Notification, Reason, RematchRequest
from matching.pipeline.fanout import external_notifications_fanout
from matching.pipeline.locks import enterprise_rematch_lock
from matching.pipeline.profile_tags import derived_tags_refresh
from matching.pipeline.queue import enqueue_on_commit
from matching.profiles import profile_load
from policies.models import Policy, PolicyStatus

logger = logging.getLogger(__name__)

GENERATION_KEY = "matching:policies:generation"
_MISSING = object()
_REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class CachedPolicy:
    id: int
    version: int
    created_at: object  # with the id, which policy this is: an id can be given again (below)
    criteria: dict
    award: dict | None
    decide: object  # compiled tree: (profile, as_of) -> True | False | None
    gates: tuple  # ((key, leaf), …): top-level conjuncts; any False → the tree is False


# Checked first, they are the most selective and the most shared between policies.
_GATE_ORDER = {"district": 0, "zone": 1, "industry": 2, "tags": 3, "entity_type": 4, "scale": 5}


def _gates(tree: dict) -> tuple:
    """The top-level leaves of an ``all`` tree (or the tree itself if it is one leaf): under
    three-valued logic one of them being False makes the whole tree False, so a re-match
    rejects most policies with a few leaf evaluations memoised across all policies."""
    if "field" in tree:
        leaves = [tree]
    elif isinstance(tree.get("all"), list):
        leaves = [c for c in tree["all"] if isinstance(c, dict) and "field" in c]
    else:
        return ()
    leaves.sort(key=lambda c: _GATE_ORDER.get(c.get("field"), 9))
    return tuple((_leaf_key(c), c) for c in leaves)


def _leaf_key(leaf: dict) -> str:
    # set-valued operands in any order are the same condition (more memo hits)
    canon = {k: (sorted(v, key=str) if isinstance(v, list) and k == "value" else v) for k, v in leaf.items()}
    return json.dumps(canon, sort_keys=True, ensure_ascii=False, default=str)


class PublishedPolicies:
    """The per-worker cache of published policies."""

    def __init__(self) -> None:
        self.by_id: dict[int, CachedPolicy] = {}
        self.generation: object = None
        self.checked_at = 0.0

    def current(self) -> list[CachedPolicy]:
        gen = _generation()
        if (
            gen is not None
            and gen == self.generation
            and time.monotonic() - self.checked_at < _REFRESH_SECONDS
        ):
            return list(self.by_id.values())

        # An id alone does not name a policy for good: a sequence restarted (the benchmark city's
        # TRUNCATE … RESTART IDENTITY, a restored dump) gives it to another policy, at version 1
        # again. The creation time tells them apart.
        stamps = {
            pid: (ver, created)
            for pid, ver, created in Policy.objects.filter(status=PolicyStatus.PUBLISHED).values_list(
                "id", "version", "created_at"
            )
        }
        stale = [
            pid
            for pid, stamp in stamps.items()
            if pid not in self.by_id or (self.by_id[pid].version, self.by_id[pid].created_at) != stamp
        ]
        for pid in [pid for pid in self.by_id if pid not in stamps]:
            del self.by_id[pid]
        for start in range(0, len(stale), 500):
            for pid, ver, created, criteria, award in Policy.objects.filter(
                pk__in=stale[start : start + 500]
            ).values_list("id", "version", "created_at", "criteria", "award"):
                self.by_id[pid] = CachedPolicy(
                    pid,
                    ver,
                    created,
                    criteria or {},
                    award or None,
                    compile_evaluator(criteria or {}),
                    _gates(criteria or {}),
                )
        self.generation, self.checked_at = gen, time.monotonic()
        return list(self.by_id.values())


def _generation() -> object:
    try:
        return cache.get(GENERATION_KEY, 0)
    except Exception:  # cache down: fall back to the time-based refresh
        return None


def policies_generation_bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)
    except Exception:
        logger.warning("could not bump the policy generation", exc_info=True)


PUBLISHED = PublishedPolicies()


@dataclass
class RematchResult:
    gained: int = 0
    lost: int = 0
    updated: int = 0


def enterprises_rematch(*, enterprise_ids: list[int], as_of: date | None = None) -> RematchResult:
    total = RematchResult()
    derived_tags_refresh(as_of=as_of, enterprise_ids=list(enterprise_ids))
    for enterprise_id in enterprise_ids:
        requested = (
            RematchRequest.objects.filter(enterprise_id=enterprise_id, pending=True)
            .values_list("requested_at", flat=True)
            .first()
        )
        r = enterprise_rematch(enterprise_id=enterprise_id, as_of=as_of)
        if requested is not None:  # a change requested meanwhile stays pending for its own task
            RematchRequest.objects.filter(
                enterprise_id=enterprise_id, pending=True, requested_at__lte=requested
            ).update(pending=False)
        total.gained += r.gained
        total.lost += r.lost
        total.updated += r.updated
    if total.gained or total.lost:
        with transaction.atomic():
            enqueue_on_commit(tasks.deliveries_plan)
    return total


def _missing_list(missing) -> list | None:
    if not missing:
        return None
    out = []
    for item in missing:
        if isinstance(item, dict):
            out.append({k: (str(v) if isinstance(v, Decimal) else v) for k, v in item.items()})
        elif hasattr(item, "__dict__"):
            out.append({k: str(v) for k, v in vars(item).items()})
        else:
            out.append(str(item))
    return out


@transaction.atomic
def enterprise_rematch(*, enterprise_id: int, as_of: date | None = None) -> RematchResult:
    """Bring every match of the enterprise in line with the evaluator on its current profile.
    Serialised with the other re-matches of the enterprise and with the chunks that may have
    read its old profile (``locks``), before anything is read."""
    enterprise_rematch_lock(enterprise_id)
    as_of = as_of or timezone.localdate()
    result = RematchResult()
    policies = PUBLISHED.current()
    try:
        profile = profile_load(enterprise_id, as_of=as_of)
    except Enterprise.DoesNotExist:
        return result
    existing = {
        m.policy_id: m
        for m in Match.objects.filter(enterprise_id=enterprise_id).only(
            "policy_id",
            "enterprise_id",
            "status",
            "amount",
            "missing",
            "matched_at",
            "episode",
        )
    }
    now = timezone.now()
    upserts: list[Match] = []
    notices: list[Notification] = []
    ended: list[int] = []
    memo: dict[str, bool | None] = {}
    for policy in policies:
        decided = None if policy.gates else policy.decide(profile, as_of)
        if policy.gates:
            for key, leaf in policy.gates:
                outcome = memo.get(key, _MISSING)
                if outcome is _MISSING:
                    outcome = memo[key] = leaf_outcome(leaf, profile, as_of)[0]
                if outcome is False:
                    decided = False
                    break
            else:
                decided = policy.decide(profile, as_of)
        old = existing.get(policy.id)
        was_active = old is not None and old.status != MatchStatus.ENDED
        if decided is False:
            if was_active:
                ended.append(policy.id)
                notices.append(_notice(enterprise_id, policy, Reason.LOST, now, old.episode))
            continue
        amount = None
        if policy.award:
            amount = award_amount(policy.award, profile, as_of=as_of).amount
        status = MatchStatus.ELIGIBLE if decided is True else MatchStatus.POSSIBLE
        missing = None
        if status == MatchStatus.POSSIBLE:  # the full explanation only where it is needed
            missing = _missing_list(evaluate(policy.criteria, profile, as_of=as_of).missing)
        if was_active and old.status == status and old.amount == amount and old.missing == missing:
            continue
        gained = not was_active or (old.status == MatchStatus.POSSIBLE and status == MatchStatus.ELIGIBLE)
        episode = (old.episode if old is not None else 0) + (1 if gained else 0)
        upserts.append(
            Match(
                policy_id=policy.id,
                enterprise_id=enterprise_id,
                policy_version=policy.version,
                status=status,
                amount=amount,
                missing=missing,
                matched_at=now if not was_active else old_matched_at(old, now),
                ended_at=None,
                episode=episode,
            )
        )
        if gained:
            reason = Reason.NEW_MATCH if status == MatchStatus.ELIGIBLE else Reason.POSSIBLE
            notices.append(_notice(enterprise_id, policy, reason, now, episode))
            result.gained += 1
        else:
            result.updated += 1
    if upserts:
        Match.objects.bulk_create(
            upserts,
            update_conflicts=True,
            unique_fields=["policy", "enterprise"],
            update_fields=[
                "policy_version",
                "status",
                "amount",
                "missing",
                "matched_at",
                "ended_at",
                "episode",
            ],
        )
    if ended:
        Match.objects.filter(enterprise_id=enterprise_id, policy_id__in=ended).update(
            status=MatchStatus.ENDED, ended_at=now
        )
        result.lost = len(ended)
    if notices:
        Notification.objects.bulk_create(notices, ignore_conflicts=True)
        external_notifications_fanout(
            policy_id=None, policy_version=None, id_from=enterprise_id, id_to=enterprise_id + 1, now=now
        )
    return result


def old_matched_at(old: Match, now):
    return getattr(old, "matched_at", None) or now


def _notice(enterprise_id: int, policy: CachedPolicy, reason: str, now, occurrence: int) -> Notification:
    return Notification(
        enterprise_id=enterprise_id,
        policy_id=policy.id,
        policy_version=policy.version,
        channel="inapp",
        reason=reason,
        occurrence=occurrence,
        created_at=now,
    )
