"""Scheduled work of the policy library (thin: each task calls one service)."""

from celery import shared_task

from .services import policy_expire_due


@shared_task(name="policies.expire_due", time_limit=300, soft_time_limit=270)
def policies_expire_due_task() -> int:
    """Expire published policies whose validity has ended; idempotent (runs hourly)."""
    return len(policy_expire_due())
