from celery import shared_task

from . import services


@shared_task(name="appeals.remind_and_escalate", time_limit=600, soft_time_limit=540, acks_late=True)
def cases_remind_and_escalate() -> dict:
    """Remind before the time limit, escalate to the department head after it. Idempotent."""
    return services.cases_remind_and_escalate()
