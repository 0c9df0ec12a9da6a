"""The repair run (celery beat, every ``MATCH_REPAIR_INTERVAL`` seconds).

Finishes whatever a crash or a broker outage left: runs recorded but never started, chunks
whose worker died, runs whose last chunks finished together, re-match requests never
processed, deliveries whose sender died while they were ``sending``, and unplanned or due
deliveries. Every step is idempotent, so running it while the original work is still going on
changes nothing. Liveness is read from row locks, not guessed from clocks: a running chunk holds
its ``MatchChunk`` row and a sender the ``Delivery`` it is sending (``FOR UPDATE``) until they
commit, and PostgreSQL drops the locks of a killed worker's connection at once. So a started
chunk or a ``sending`` delivery that nobody holds is redone after a short grace, never one that
is still being worked on (``SKIP LOCKED`` passes those by).

A chunk message never started (its worker died holding it unacknowledged in the broker) cannot
be seen that way. While no chunk is running, it is enqueued again once a chunk of its run that was
enqueued with it (or after it) has been done for a short grace (the queue has passed it), or at the
latest ``MATCH_CHUNK_STALE_SECONDS`` after it was enqueued; never while chunks run, so a long
fan-out's queue is not flooded with copies.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from matching.models import (
    Delivery,
    DeliveryStatus,
    MatchChunk,
    MatchRun,
    Notification,
    RematchRequest,
    RunStatus,
)
from matching.pipeline.queue import enqueue_now

logger = logging.getLogger(__name__)

# From a chunk's started_at commit to its matching transaction holding the row: milliseconds.
CHUNK_START_GRACE = timedelta(seconds=10)


def matching_repair(*, now=None) -> dict:
    from matching import tasks
    from matching.pipeline.policy_run import run_totals_close

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.MATCH_CHUNK_STALE_SECONDS)
    grace = now - timedelta(seconds=min(30, settings.MATCH_CHUNK_STALE_SECONDS))
    report = {}

    runs = list(
        MatchRun.objects.filter(status=RunStatus.PENDING, created_at__lt=grace).values_list("pk", flat=True)[
            :500
        ]
    )
    for run_id in runs:
        enqueue_now(tasks.policy_run_start, run_id)
    report["runs_started"] = len(runs)

    chunks = _chunks_abandoned(now=now, stale=stale)
    for chunk_id in chunks:
        enqueue_now(tasks.policy_chunk_run, chunk_id)
    report["chunks_requeued"] = len(chunks)

    open_chunk = MatchChunk.objects.filter(run=OuterRef("pk"), done=False)
    finished = list(
        MatchRun.objects.filter(status=RunStatus.RUNNING)
        .exclude(Exists(open_chunk))
        .values_list("pk", flat=True)
    )
    for run_id in finished:
        run_totals_close(run_id=run_id)
    report["runs_closed"] = len(finished)

    requests = list(
        RematchRequest.objects.filter(pending=True, requested_at__lt=grace).values_list(
            "enterprise_id", flat=True
        )[:5000]
    )
    for start in range(0, len(requests), 200):
        enqueue_now(tasks.enterprises_rematch, requests[start : start + 200])
    report["rematches"] = len(requests)

    report["sending_reset"] = _deliveries_abandoned(now=now)
    if Notification.objects.filter(delivery__isnull=True).exclude(channel="inapp").exists():
        enqueue_now(tasks.deliveries_plan)
        report["plan"] = True
    if Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).exists():
        enqueue_now(tasks.deliveries_send)
        report["send"] = True
    if any(report.values()):
        logger.info("matching repair: %s", report)
    return report


@transaction.atomic
def _chunks_abandoned(*, now, stale) -> list[int]:
    """Chunks to enqueue again: started but not held by any transaction (their worker died),
    and, while no chunk is running, chunks enqueued before ``stale`` and never started."""
    dead = list(
        MatchChunk.objects.select_for_update(skip_locked=True)
        .filter(done=False, started_at__lt=now - CHUNK_START_GRACE)
        .values_list("pk", flat=True)[:2000]
    )
    running = MatchChunk.objects.filter(done=False, started_at__isnull=False).exclude(pk__in=dead).exists()
    lost = []
    if not running:
        # the queue has passed it: a chunk of its run enqueued with it or after it was done a while ago
        passed = MatchChunk.objects.filter(
            run=OuterRef("run"),
            done=True,
            enqueued_at__gte=OuterRef("enqueued_at"),
            done_at__lt=now - CHUNK_START_GRACE,
        )
        lost = list(
            MatchChunk.objects.select_for_update(skip_locked=True)
            .filter(done=False, started_at__isnull=True)
            .filter(Q(enqueued_at__lt=stale) | Exists(passed))
            .values_list("pk", flat=True)[: 2000 - len(dead)]
        )
    chunks = dead + lost
    if chunks:
        MatchChunk.objects.filter(pk__in=chunks).update(enqueued_at=now, started_at=None)
    return chunks


@transaction.atomic
def _deliveries_abandoned(*, now) -> int:
    """``sending`` deliveries whose claim is older than ``MATCH_DELIVERY_SENDING_STALE_SECONDS``
    and whose row no sender holds: back to ``pending``, due now."""
    ids = list(
        Delivery.objects.select_for_update(skip_locked=True)
        .filter(
            status=DeliveryStatus.SENDING,
            claimed_at__lt=now - timedelta(seconds=settings.MATCH_DELIVERY_SENDING_STALE_SECONDS),
        )
        .values_list("pk", flat=True)[:5000]
    )
    return Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.PENDING, next_attempt_at=now)
