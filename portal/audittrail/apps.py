import importlib

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def security_officer_group_ensure(sender, using="default", **kwargs) -> None:
    """The security officers' group (安全审计员) must always exist. Its data migration creates it
    once; ``flush`` (which test runs use between transactional tests) empties the tables and then
    sends ``post_migrate``, so it is put back here, as ``enterprises`` does for its vocabulary."""
    migration = importlib.import_module("portal.audittrail.migrations.0002_security_officer_group")
    if not apps.get_model("auth", "Group").objects.using(using).filter(name=migration.GROUP).exists():
        migration.create_group(apps, None)


class AuditTrailConfig(AppConfig):
    name = "portal.audittrail"
    label = "audittrail"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from auditlog.models import LogEntry
        from django.db.models.signals import pre_save

        from .context import entry_pre_save

        pre_save.connect(entry_pre_save, sender=LogEntry, dispatch_uid="portal_audit_credential")
        post_migrate.connect(
            security_officer_group_ensure, sender=self, dispatch_uid="audittrail_officer_group"
        )
        _exclude_reverse_relations()


def _exclude_reverse_relations() -> None:
    """auditlog diffs every field ``_meta.get_fields()`` lists, reverse relations included: reading
    ``application.grant`` before the grant exists caches "no grant" on the instance, and the code
    that creates it then finds none. Reverse relations are the other side's fields (audited
    there): leave them out of every registration. auditlog registers in its own ``ready()``,
    which runs before this one (INSTALLED_APPS order)."""
    from auditlog.registry import auditlog

    for model, conf in auditlog._registry.items():
        reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
        conf["exclude_fields"] = sorted(set(conf["exclude_fields"]) | set(reverse))
