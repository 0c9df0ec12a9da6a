"""``make run`` (the embedded default, ``manage.py runserver``, no DJANGO_DEBUG) answers with
the portal's own error pages, never Django's debug pages, and still serves its static files;
``DJANGO_DEBUG=1`` brings the debug pages back.

The server runs as make run starts it, on a database file that has not been migrated: a page
that needs the database fails (500), a missing page is a 404."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

LEAKS = ("Traceback", "OperationalError", "URLconf", "DEBUG = True", "settings.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def runserver(tmp_path):
    processes: list[subprocess.Popen] = []

    def start(**extra_env) -> str:
        port = _free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")
        }
        env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **extra_env)
        log = (tmp_path / f"server-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return f"http://127.0.0.1:{port}"
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.2)
        pytest.fail("runserver did not start: " + (tmp_path / f"server-{port}.log").read_text())

    yield start
    for process in processes:
        process.terminate()
        process.wait(10)


def test_make_run_serves_the_portals_error_pages_and_its_static_files(runserver):
    base = runserver()

    missing = requests.get(f"{base}/no-such-page/", timeout=30)
    failing = requests.get(f"{base}/", timeout=30)  # the home page needs the (unmigrated) database
    english = requests.get(f"{base}/no-such-page/", cookies={"django_language": "en"}, timeout=30)
    css = requests.get(f"{base}/static/web/portal.css", timeout=30)

    assert missing.status_code == 404 and "页面不存在" in missing.text
    assert (
        failing.status_code == 500
        and "服务暂时不可用" in failing.text
        and "Something went wrong" in failing.text
    )
    assert english.status_code == 404 and "Page not found" in english.text
    for response in (missing, failing, english):
        assert "/static/web/portal.css" in response.text  # styled like the site
        assert not [leak for leak in LEAKS if leak in response.text]
    assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]


def test_django_debug_1_shows_the_debug_pages(runserver):
    base = runserver(DJANGO_DEBUG="1")
    assert "URLconf" in requests.get(f"{base}/no-such-page/", timeout=30).text
