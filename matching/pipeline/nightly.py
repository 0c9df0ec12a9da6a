"""The nightly reconciliation (celery beat, 02:30 Asia/Shanghai).

Time moves matches without anyone touching a record: a tag expires, an enterprise
has an anniversary (``age_years``), and on 1 January "this_year"/"last_year" move
on. The run refreshes the derived profile tags, checks every enterprise whose profile
changed since the last run against the evaluator and fixes what disagrees
(``reconcile.matches_reconcile``: how many were checked and fixed is logged and returned),
re-matches the enterprises whose time-dependent facts changed since yesterday, rebuilds
every published policy on 1 January, and finishes with the repair run.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from matching.pipeline.profile_tags import derived_tags_refresh
from matching.pipeline.reconcile import matches_reconcile
from matching.pipeline.repair import matching_repair
from policies.models import Policy, PolicyStatus

logger = logging.getLogger(__name__)

BATCH = 1000


def enterprises_with_time_changes(*, today: date) -> list[int]:
    """Ids whose tag validity or age changed between yesterday and today (set-based)."""
    yesterday = today - timedelta(days=1)
    ids: set[int] = set()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT enterprise_id FROM enterprises_enterprisetag "
            "WHERE expires_on = %s OR recognized_on = %s",
            [yesterday, today],
        )
        ids.update(r[0] for r in cur.fetchall())
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT id FROM enterprises_enterprise WHERE established_on IS NOT NULL "
                "AND EXTRACT(MONTH FROM established_on) = %s AND EXTRACT(DAY FROM established_on) = %s",
                [today.month, today.day],
            )
        else:
            cur.execute(
                "SELECT id FROM enterprises_enterprise WHERE strftime('%%m-%%d', established_on) = %s",
                [today.strftime("%m-%d")],
            )
        ids.update(r[0] for r in cur.fetchall())
    return sorted(ids)


def matching_nightly(*, today: date | None = None) -> dict:
    # Imported here: a real cycle (matching.tasks imports this module, and the schedule
    # imports matching.tasks to enqueue).
    from matching.pipeline.schedule import enterprise_rematch_schedule, policies_matching_schedule

    today = today or timezone.localdate()
    report = {"derived_tags": derived_tags_refresh(as_of=today)}
    report["reconcile"] = matches_reconcile()
    if today.month == 1 and today.day == 1:
        ids = list(Policy.objects.filter(status=PolicyStatus.PUBLISHED).values_list("pk", flat=True))
        policies_matching_schedule(policy_ids=ids, reason="rebuild")
        report["rebuilt_policies"] = len(ids)
    changed = enterprises_with_time_changes(today=today)
    for start in range(0, len(changed), BATCH):
        enterprise_rematch_schedule(enterprise_ids=changed[start : start + BATCH])
    report["rematched"] = len(changed)
    report["repair"] = matching_repair()
    logger.info("matching nightly: %s", report)
    return report
