"""The two entry points other parts call when something matching-relevant changes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from matching import tasks
from matching.models import MatchRun, RematchRequest
from matching.pipeline.events import policy_event_emit
from matching.pipeline.queue import enqueue_on_commit
from matching.pipeline.rematch import policies_generation_bump

POLICY_REASONS = ("published", "revised", "withdrawn", "expired", "rebuild")


@transaction.atomic
def policy_matching_schedule(*, policy_id: int, reason: str) -> None:
    """Record a run for the policy and start it once the caller's transaction commits.

    ``reason``: "published" | "revised" (new set diffed against the old one) |
    "withdrawn" | "expired" (matches ended) | "rebuild".
    """
    (run,) = _runs_record(policy_ids=[policy_id], reason=reason)
    enqueue_on_commit(tasks.policy_run_start, run.pk)


@transaction.atomic
def policies_matching_schedule(*, policy_ids: Iterable[int], reason: str) -> None:
    """Many policies at once (the yearly rebuild): one run each, as ``policy_matching_schedule``
    records it, started together by one task that queues their chunks range by range
    (``policy_run.runs_start``)."""
    runs = _runs_record(policy_ids=policy_ids, reason=reason)
    if runs:
        enqueue_on_commit(tasks.policy_runs_start, [run.pk for run in runs])


def _runs_record(*, policy_ids: Iterable[int], reason: str) -> list[MatchRun]:
    """The durable part of a schedule: the run rows, the policy events, and (on commit) the
    bump that makes every worker reload the published trees."""
    if reason not in POLICY_REASONS:
        raise ValueError(f"unknown reason {reason!r}; expected one of {POLICY_REASONS}")
    runs = MatchRun.objects.bulk_create([MatchRun(policy_id=pid, reason=reason) for pid in policy_ids])
    if not runs:
        return []

    for run in runs:
        policy_event_emit(policy_id=run.policy_id, reason=reason, run_id=run.pk)
    transaction.on_commit(policies_generation_bump)
    return runs


@transaction.atomic
def enterprise_rematch_schedule(*, enterprise_ids: Iterable[int]) -> None:
    """Re-match these enterprises against every published policy after commit."""
    ids = sorted({int(i) for i in enterprise_ids})
    if not ids:
        return
    now = timezone.now()
    RematchRequest.objects.bulk_create(
        [RematchRequest(enterprise_id=i, requested_at=now) for i in ids],
        update_conflicts=True,
        unique_fields=["enterprise_id"],
        update_fields=["requested_at", "pending"],
        batch_size=2000,
    )

    for start in range(0, len(ids), REMATCH_BATCH):
        enqueue_on_commit(tasks.enterprises_rematch, ids[start : start + REMATCH_BATCH])


REMATCH_BATCH = 200
