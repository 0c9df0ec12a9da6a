"""The embedded default (SQLite) under concurrent writers: a transaction that reads and then
writes (confirming a 免申即享 batch reads the proposals, then writes grants) while another
request writes must wait for it, not fail with "database is locked".

Two threads, each with its own connection to a database file (the way runserver's threads
use ``db.sqlite3``), configured with the options the settings give SQLite
(``settings.SQLITE_OPTIONS``) and, to show what they fix, with the options used before
(a busy timeout alone, rollback journal, deferred transactions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

ALIAS = "embedded_lock_probe"


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    def configure(options: dict) -> str:
        configured = connections.configure_settings(
            {
                "default": connections.settings["default"],
                ALIAS: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3"),
                        "OPTIONS": options},
            }
        )  # fmt: skip
        connections.settings[ALIAS] = configured[ALIAS]
        return ALIAS

    with django_db_blocker.unblock():
        yield configure
    connections[ALIAS].close()
    del connections[ALIAS]
    connections.settings.pop(ALIAS, None)


def _run(alias: str) -> dict:
    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE batch (id integer PRIMARY KEY, granted integer NOT NULL)")
        cursor.execute("CREATE TABLE other (id integer PRIMARY KEY, n integer NOT NULL)")
        cursor.execute("INSERT INTO batch VALUES (1, 0)")
        cursor.execute("INSERT INTO other VALUES (1, 0)")
    connections[alias].close()
    writing, confirming = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def other_request():
        try:
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("UPDATE other SET n = n + 1")
                writing.set()
                confirming.wait(5)
                # the request does more work before it commits
                threading.Event().wait(0.3)
            outcome["other"] = "committed"
        except OperationalError as exc:
            outcome["other"] = str(exc)
        finally:
            writing.set()
            connections[alias].close()

    def confirm_batch():
        writing.wait(5)
        confirming.set()
        try:
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT granted FROM batch WHERE id = 1")
                granted = cursor.fetchone()[0]
                cursor.execute("UPDATE batch SET granted = %s WHERE id = 1", [granted + 10])
            outcome["confirm"] = "committed"
        except OperationalError as exc:
            outcome["confirm"] = str(exc)
        finally:
            confirming.set()
            connections[alias].close()

    threads = [threading.Thread(target=other_request), threading.Thread(target=confirm_batch)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT (SELECT granted FROM batch), (SELECT n FROM other)")
        outcome["state"] = cursor.fetchone()
        cursor.execute("PRAGMA journal_mode")
        outcome["journal"] = cursor.fetchone()[0]
    connections[alias].close()
    return outcome


def test_before_a_busy_timeout_alone_let_the_confirmation_fail_with_database_is_locked(file_database):
    outcome = _run(file_database({"timeout": 5}))
    assert "database is locked" in str(outcome["confirm"]) or "database is locked" in str(outcome["other"])


def test_with_the_settings_both_writers_commit_one_after_the_other(file_database):
    options = {**settings.SQLITE_OPTIONS, "timeout": 5}
    outcome = _run(file_database(options))
    assert outcome["confirm"] == "committed" and outcome["other"] == "committed"
    assert outcome["state"] == (10, 1)
    assert outcome["journal"] == "wal"


def test_a_batch_is_confirmed_on_the_embedded_default_while_other_requests_write(tmp_path):
    """The real services, as make run runs them: a file database, tasks eager, two threads."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PYTEST_XDIST_WORKER")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PYTHONPATH=str(settings.BASE_DIR))
    script = Path(settings.BASE_DIR) / "tests" / "embedded_batch_confirm.py"
    run = subprocess.run(
        [sys.executable, str(script), "40", "2"], env=env, capture_output=True, text=True, timeout=300
    )
    line = next((x for x in run.stdout.splitlines() if x.startswith("OUTCOME ")), None)
    assert line, run.stdout[-2000:] + run.stderr[-2000:]
    outcome = json.loads(line.removeprefix("OUTCOME "))
    assert outcome["confirm"] == "confirmed" and outcome["grants"] == 40
    assert outcome["writes"] >= 1 and outcome["write_errors"] == []
