"""The audit viewer's permission. The entries themselves are django-auditlog's ``LogEntry``
(append-only: ``portal.accounts.audit``); this unmanaged model only carries the permission
the security officers' group (安全审计员) holds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditTrail(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_audit_trail", _("查阅并导出审计日志"))]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
