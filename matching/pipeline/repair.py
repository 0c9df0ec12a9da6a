"""The repair run (celery beat, every ``MATCH_REPAIR_INTERVAL`` seconds).

Finishes whatever a crash or a broker outage left: runs recorded but never started,
chunks not done long after they were enqueued (their worker was killed), runs whose
last chunks finished together, re-match requests never processed, deliveries whose
sender died while they were ``sending``, and unplanned or due deliveries. Every step is
idempotent, so running it while the original work is still going on changes nothing:
in particular a delivery is put back only when its claim is older than any sender can
live (``SENDING_STALE`` exceeds the send task's hard time limit), never while it is
still being sent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
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

# Longer than the hard time limit of ``matching.deliveries_send`` (600 s): a claim this old
# belongs to a sender that has been killed, so sending it again cannot send it twice.
SENDING_STALE = timedelta(minutes=15)


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

    chunks = list(
        MatchChunk.objects.filter(done=False, enqueued_at__lt=stale).values_list("pk", flat=True)[:2000]
    )
    if chunks:
        MatchChunk.objects.filter(pk__in=chunks).update(enqueued_at=now)
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
        RematchRequest.objects.filter(requested_at__lt=grace).values_list("enterprise_id", flat=True)[:5000]
    )
    for start in range(0, len(requests), 200):
        enqueue_now(tasks.enterprises_rematch, requests[start : start + 200])
    report["rematches"] = len(requests)

    report["sending_reset"] = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - SENDING_STALE
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now)
    if Notification.objects.filter(delivery__isnull=True).exclude(channel="inapp").exists():
        enqueue_now(tasks.deliveries_plan)
        report["plan"] = True
    if Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).exists():
        enqueue_now(tasks.deliveries_send)
        report["send"] = True
    if any(report.values()):
        logger.info("matching repair: %s", report)
    return report
