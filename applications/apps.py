from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    label = "applications"
    verbose_name = _("在线申报与兑付")

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.conf import settings

        # Beat entries of this app (settings.CELERY_BEAT_SCHEDULE is read lazily by Celery).
        schedule = settings.CELERY_BEAT_SCHEDULE
        schedule.setdefault(
            "applications-escalate-overdue",
            {"task": "applications.escalate_overdue", "schedule": crontab(minute=30, hour=8)},
        )
        schedule.setdefault(
            "applications-grant-proposals",
            {"task": "applications.grant_proposals_generate", "schedule": crontab(minute="*/15")},
        )
