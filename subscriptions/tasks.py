"""Thin Celery tasks of the subscriptions (each calls one service and is safe to run twice)."""

from celery import shared_task
from django.db import OperationalError

from .services import policy_alerts_create, policy_alerts_repair


@shared_task(
    name="subscriptions.policy_alerts",
    time_limit=600,
    soft_time_limit=570,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    max_retries=5,
)
def policy_alerts(policy_id: int) -> int:
    """Alert the saved searches a newly published policy satisfies (once per subscription)."""
    return policy_alerts_create(policy_id=policy_id)


@shared_task(name="subscriptions.alerts_repair", time_limit=1800, soft_time_limit=1770)
def alerts_repair() -> int:
    """Hourly: alerts of the last day's publications whose task never ran (idempotent)."""
    return policy_alerts_repair()
