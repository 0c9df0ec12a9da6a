"""Thin, idempotent Celery tasks: each calls one service. Scheduled by celery beat (see
``apps.ApplicationsConfig.ready``)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="applications.escalate_overdue", soft_time_limit=240, time_limit=300)
def applications_escalate_overdue_task() -> int:
    return services.applications_escalate_overdue()


@shared_task(name="applications.grant_proposals_generate", soft_time_limit=540, time_limit=600)
def grant_proposals_generate_task(policy_id: int | None = None) -> int:
    """Proposals for one auto-grant policy, or all of them; loops in bounded batches."""
    policy_ids = [policy_id] if policy_id else services.auto_grant_policy_ids()
    total = 0
    for pid in policy_ids:
        for _ in range(200):  # at most 200 × 5,000 per run; the next run continues
            created = services.grant_proposals_generate(policy_id=pid)
            total += created
            if not created:
                break
    return total
