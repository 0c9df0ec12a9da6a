from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditTrailConfig(AppConfig):
    name = "portal.audittrail"
    label = "audittrail"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from auditlog.models import LogEntry
        from django.db.models.signals import pre_save

        from .context import entry_pre_save

        pre_save.connect(entry_pre_save, sender=LogEntry, dispatch_uid="portal_audit_credential")
