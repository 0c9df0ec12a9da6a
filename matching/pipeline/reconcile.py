"""The nightly reconciliation: every enterprise whose profile changed since the last run is
checked against the evaluator, and any match that disagrees is fixed (and told).

"Changed" is what the pipeline itself records: every profile write schedules a re-match
(``RematchRequest``, in the writer's transaction); the row stays, ``pending=False`` once
re-matched, until a reconciliation has checked it. Checking is the re-match itself
(``rematch.enterprises_rematch``): the Python evaluator over every published policy, writing only
what differs (a gain with its notice, a loss with its "lost" notice, a changed amount or missing
list). On a healthy pipeline it fixes nothing; what it fixes is counted and logged.
"""

from __future__ import annotations

import logging
import time

from django.utils import timezone

from matching.models import ReconcileRun, RematchRequest
from matching.pipeline.rematch import enterprises_rematch

logger = logging.getLogger(__name__)

BATCH = 500


def matches_reconcile(*, budget_seconds: float = 2400.0) -> dict:
    """Check the enterprises changed since the last run, oldest change first, until none is left
    or the budget is spent (the rest stays for the next run). Returns the report, also kept as a
    ``ReconcileRun``: ``checked`` enterprises, ``fixed`` matches (``gained`` + ``lost`` +
    ``updated``), ``left`` enterprises still to check, ``since`` the previous run's start."""
    started, clock = timezone.now(), time.monotonic()
    previous = ReconcileRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    run = ReconcileRun.objects.create(started_at=started, since=previous.started_at if previous else None)
    totals = {"checked": 0, "gained": 0, "lost": 0, "updated": 0}
    done: set[int] = set()
    while time.monotonic() - clock < budget_seconds:
        read_at = timezone.now()
        batch = list(
            RematchRequest.objects.filter(requested_at__lte=read_at)
            .exclude(enterprise_id__in=done)
            .order_by("requested_at", "enterprise_id")
            .values_list("enterprise_id", flat=True)[:BATCH]
        )
        if not batch:
            break
        result = enterprises_rematch(enterprise_ids=batch)
        # checked: forget them, unless they changed again meanwhile (a later requested_at)
        RematchRequest.objects.filter(
            enterprise_id__in=batch, pending=False, requested_at__lte=read_at
        ).delete()
        done.update(batch)
        totals["checked"] += len(batch)
        totals["gained"] += result.gained
        totals["lost"] += result.lost
        totals["updated"] += result.updated
    report = {
        **totals,
        "fixed": totals["gained"] + totals["lost"] + totals["updated"],
        "left": RematchRequest.objects.exclude(enterprise_id__in=done).count(),
        "since": run.since.isoformat() if run.since else None,
        "seconds": round(time.monotonic() - clock, 1),
    }
    run.finished_at, run.checked, run.fixed, run.report = (
        timezone.now(),
        report["checked"],
        report["fixed"],
        report,
    )
    run.save(update_fields=["finished_at", "checked", "fixed", "report"])
    log = logger.warning if report["fixed"] else logger.info
    log(
        "matching reconcile: %(checked)s enterprises checked, %(fixed)s matches fixed %(report)s",
        {"checked": report["checked"], "fixed": report["fixed"], "report": report},
    )
    return report
