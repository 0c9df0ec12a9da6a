"""``make bench`` on a fresh machine: its database is created if missing (it used to end in a
traceback, ``database "portal_bench" does not exist``), and an existing one is left as it is."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent


def _exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _run(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "AXES_ENABLED": "false"}
    return subprocess.run(
        [sys.executable, "manage.py", "database_create", "--no-migrate"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_missing_database_is_created_then_left_alone(db):
    given = connection.settings_dict
    name = f"portal_create_{uuid.uuid4().hex[:8]}"
    url = f"postgres://{given['USER']}@{given['HOST']}:{given['PORT']}/{name}"
    assert not _exists(name)
    try:
        first = _run(url)
        assert first.returncode == 0, first.stderr
        assert f"created database {name}" in first.stdout
        assert _exists(name)
        again = _run(url)
        assert again.returncode == 0, again.stderr
        assert "created database" not in again.stdout
    finally:
        admin = psycopg2.connect(
            dbname="postgres", user=given["USER"], host=given["HOST"], port=given["PORT"]
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def test_an_unreachable_server_is_a_clear_error_not_a_traceback():
    result = _run("postgres://postgres@127.0.0.1:1/portal_nowhere")
    assert result.returncode != 0
    assert "cannot reach PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr
