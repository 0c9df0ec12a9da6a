"""The audit trail records who changed what in the registry and in accounts, and nobody
(superusers included) edits or deletes it; only the retention purge removes old entries."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts import audit
from portal.accounts.models import User
from tests.factories.accounts import SuperuserFactory, UserFactory
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _entries_for(obj):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))


def test_changes_to_an_enterprise_are_recorded_with_masked_contact_data():
    # given
    enterprise = EnterpriseFactory(contact_phone="13812345678")
    # when
    enterprise.name = "郑州改名科技有限公司"
    enterprise.contact_phone = "13987654321"
    enterprise.save()
    # then
    update = _entries_for(enterprise).filter(action=LogEntry.Action.UPDATE).get()
    assert update.changes_dict["name"][1] == "郑州改名科技有限公司"
    assert "13987654321" not in str(update.changes) and "13812345678" not in str(update.changes)
    assert update.changes_dict["contact_phone"][1] == "139****4321"


def test_user_changes_are_recorded_without_the_password():
    user = UserFactory()
    user.set_password("Another-Pass-2026!")
    user.first_name = "四"
    user.save()
    update = _entries_for(user).filter(action=LogEntry.Action.UPDATE).get()
    assert "first_name" in update.changes_dict
    assert "password" not in update.changes_dict
    assert "Another-Pass" not in str(update.changes)


def test_admin_actions_are_attributed_to_the_official(client):
    root = SuperuserFactory()
    target = UserFactory()
    client.force_login(root)
    client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        {
            "username": target.username,
            "first_name": "新名",
            "last_name": "",
            "email": target.email,
            "phone": target.phone,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    entry = _entries_for(target).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == root


def test_superuser_cannot_change_or_delete_audit_entries_in_the_admin(client):
    # given
    entry = _entries_for(EnterpriseFactory()).get()
    client.force_login(SuperuserFactory())
    # when / then
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_delete", args=[entry.pk])).status_code == 403
    assert (
        client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    client.post(
        reverse("admin:auditlog_logentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    client.post(reverse("admin:auditlog_logentry_change", args=[entry.pk]), {"object_repr": "forged"})
    entry.refresh_from_db()
    assert LogEntry.objects.filter(pk=entry.pk).exists() and entry.object_repr != "forged"


def test_retention_is_never_shorter_than_180_days(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    assert audit.retention_days() == 180


def _database_now():
    """The purge takes its cut-off from the database's clock on PostgreSQL (the one its trigger
    checks against), which a test cannot move: entries are dated from that clock there."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()


def _old_entry(days: int) -> LogEntry:
    enterprise = EnterpriseFactory()
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(enterprise),
        object_pk=str(enterprise.pk),
        object_repr=str(enterprise),
        action=LogEntry.Action.UPDATE,
        changes={"name": ["a", "b"]},
        timestamp=_database_now() - timedelta(days=days),
    )


def test_purge_removes_only_entries_past_the_retention_period(settings):
    settings.AUDIT_RETENTION_DAYS = 200
    old, young = _old_entry(400), _old_entry(190)
    call_command("audit_purge")
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=young.pk).exists()


# --- PostgreSQL: the database itself refuses ------------------------------------------------


def _refused(statement, params=()):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)


@pytest.mark.postgres
def test_database_refuses_update_and_delete_of_audit_entries():
    entry = _entries_for(EnterpriseFactory()).get()
    _refused("UPDATE auditlog_logentry SET object_repr = 'forged' WHERE id = %s", [entry.pk])
    _refused("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            LogEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.object_repr != "forged"


@pytest.mark.postgres
def test_database_refuses_a_purge_setting_that_reaches_into_the_last_180_days():
    entry = _old_entry(10)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('portal.audit_purge_before', %s, true)", [timezone.now().isoformat()]
            )
            cursor.execute("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
def test_database_lets_the_retention_purge_through(settings):
    settings.AUDIT_RETENTION_DAYS = 180
    old, young = _old_entry(365), _old_entry(100)
    assert audit.audit_purge() >= 1
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=young.pk).exists()
    # the setting was local to the purge's transaction
    _refused("DELETE FROM auditlog_logentry WHERE id = %s", [young.pk])


@pytest.mark.postgres
def test_deleting_a_user_keeps_their_entries_with_the_actor_emptied():
    actor = UserFactory(email="actor@example.com")
    entry = _old_entry(5)
    with connection.cursor() as cursor:  # attribute the entry (an INSERT-time fact) to the actor
        with pytest.raises(DatabaseError):
            with transaction.atomic():
                cursor.execute(
                    "UPDATE auditlog_logentry SET actor_id = %s WHERE id = %s", [actor.pk, entry.pk]
                )
    attributed = LogEntry.objects.create(
        content_type=entry.content_type,
        object_pk=entry.object_pk,
        object_repr="x",
        action=LogEntry.Action.UPDATE,
        changes={},
        actor=actor,
        actor_email=actor.email,
    )
    User.objects.filter(pk=actor.pk).delete()
    attributed.refresh_from_db()
    assert attributed.actor_id is None and attributed.actor_email == "actor@example.com"


def test_the_daily_purge_is_scheduled_for_celery_beat(settings):
    from portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["accounts-audit-purge"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 24 * 60 * 60
