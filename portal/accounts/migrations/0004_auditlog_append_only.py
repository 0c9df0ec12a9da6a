"""PostgreSQL trigger that keeps the audit trail append-only (see portal/accounts/audit.py)."""

from django.db import migrations

from portal.accounts.audit import drop_trigger, install_trigger


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_binding_activation_password_age"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(install_trigger, drop_trigger)]
