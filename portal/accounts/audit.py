"""The audit trail (django-auditlog) is append-only.

On PostgreSQL a trigger on ``auditlog_logentry`` rejects every UPDATE and DELETE, with two
exceptions:

- the retention purge: DELETE of entries older than the cut-off named in the transaction-local
  setting ``portal.audit_purge_before``, and never of entries younger than 180 days whatever
  the setting says (``audit_purge`` sets it with ``SET LOCAL``);
- ``actor_id`` set to NULL and nothing else changed: what ``on_delete=SET_NULL`` does when a
  user is deleted (``actor_email`` keeps who it was).

The admin is read-only for everybody (``admin.AuditLogEntryAdmin``).
"""

from __future__ import annotations

from datetime import timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

MIN_RETENTION_DAYS = 180

TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION portal_auditlog_append_only() RETURNS trigger AS $$
DECLARE
    purge_before timestamptz;
BEGIN
    IF TG_OP = 'DELETE' THEN
        purge_before := NULLIF(current_setting('portal.audit_purge_before', true), '')::timestamptz;
        IF purge_before IS NOT NULL
           AND purge_before <= clock_timestamp() - interval '{MIN_RETENTION_DAYS} days'
           AND OLD."timestamp" < purge_before THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit log is append-only: DELETE of entry % refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit log is append-only: UPDATE of entry % refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS portal_auditlog_append_only ON auditlog_logentry;
CREATE TRIGGER portal_auditlog_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION portal_auditlog_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS portal_auditlog_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS portal_auditlog_append_only();
"""


def install_trigger(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor is not None else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(TRIGGER_SQL)


def drop_trigger(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor is not None else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(DROP_SQL)


def retention_days() -> int:
    return max(MIN_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS)


@transaction.atomic
def audit_purge(*, now=None) -> int:
    """Delete audit entries older than AUDIT_RETENTION_DAYS (at least 180). Returns the count."""
    days = retention_days()
    if connection.vendor == "postgresql" and now is None:
        with connection.cursor() as cursor:
            # The cut-off comes from the database clock, the one the trigger checks it against;
            # set_config(..., true) = SET LOCAL: it ends with this transaction.
            cursor.execute(
                "SELECT set_config('portal.audit_purge_before',"
                " (clock_timestamp() - make_interval(days => %s))::text, true)::timestamptz",
                [days],
            )
            cutoff = cursor.fetchone()[0]
    else:
        cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return deleted
