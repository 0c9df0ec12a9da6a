from django.core.management.base import BaseCommand

from portal.accounts import audit


class Command(BaseCommand):
    help = "Delete audit-log entries older than AUDIT_RETENTION_DAYS (never younger than 180 days)."

    def handle(self, *args, **options):
        deleted = audit.audit_purge()
        self.stdout.write(f"purged {deleted} audit entries older than {audit.retention_days()} days")
