"""An import's foreign keys are checked statement by statement, not queued until the commit.

Django declares every foreign key DEFERRABLE INITIALLY DEFERRED: inside the import's one
transaction PostgreSQL would keep an event per key per row written in the backend's memory
until the commit (20 MB per 50,000 enterprises measured: 4 GB for a 10,000,000-row import)."""

import contextlib
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from enterprises import writer
from enterprises.importing import enterprise_import_file
from enterprises.models import Enterprise, IndicatorValue

pytestmark = pytest.mark.postgres


def _queued_bytes() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(total_bytes), 0) FROM pg_backend_memory_contexts WHERE name = 'AfterTriggerEvents'"
        )
        return int(cursor.fetchone()[0])


def _import_measuring(tmp_path, monkeypatch) -> list[int]:
    path = tmp_path / "registry.csv"
    call_command(
        "generate_enterprises", "--count", "600", "--out", str(path), "--no-progress", stdout=io.StringIO()
    )
    queued: list[int] = []
    write = writer.records_write

    def measured(*args, **kwargs):
        result = write(*args, **kwargs)
        queued.append(_queued_bytes())  # after the chunk's statements, before the commit
        return result

    monkeypatch.setattr(writer, "records_write", measured)
    report = enterprise_import_file(path=path, chunk_size=100, rematch=False)
    assert report.ok and report.created == 600
    assert IndicatorValue.objects.count() > 600 * 10  # the rows whose keys are checked
    return queued


def test_the_trigger_queue_does_not_grow_with_the_rows_imported(db, tmp_path, monkeypatch):
    queued = _import_measuring(tmp_path, monkeypatch)
    assert len(queued) == 6
    assert max(queued) < 32 * 1024, queued


def test_deferred_checks_would_queue_an_event_per_row(db, tmp_path, monkeypatch):
    # the behaviour the import avoids, measured the same way: the queue grows chunk by chunk
    monkeypatch.setattr(writer, "constraints_immediate", contextlib.nullcontext)
    queued = _import_measuring(tmp_path, monkeypatch)
    assert queued[-1] > 3 * queued[0] > 0 and queued[-1] > 200 * 1024, queued


def _insert_orphan_value() -> None:
    indicator_id = IndicatorValue._meta.get_field("indicator").related_model.objects.values_list(
        "pk", flat=True
    )[0]
    missing = (Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO enterprises_indicatorvalue (enterprise_id, indicator_id, period, value, text_value, "
            "source, updated_at) VALUES (%s, %s, '2024', 1, '', 't', now())",
            [missing, indicator_id],
        )


def test_a_key_that_does_not_hold_still_fails_the_import_at_once(db):
    # immediate checks still check: a value row for an enterprise that does not exist fails
    # at its statement, not at a commit
    with pytest.raises(IntegrityError), transaction.atomic(), writer.constraints_immediate():
        _insert_orphan_value()


def test_the_callers_transaction_gets_its_deferred_checks_back(db):
    # after the import's block, a child written before its parent is checked at the commit again
    # (as Django's keys promise), not refused at its statement
    with transaction.atomic():
        with writer.constraints_immediate():
            pass
        with transaction.atomic():
            _insert_orphan_value()  # no error here: deferred
            transaction.set_rollback(True)
