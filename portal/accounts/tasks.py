from celery import shared_task

from . import audit


@shared_task(time_limit=1800, soft_time_limit=1700)
def audit_purge() -> int:
    """Daily (beat): drop audit entries past the retention period. Idempotent."""
    return audit.audit_purge()
