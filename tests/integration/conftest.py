"""Real services: a ``celery -A portal worker`` subprocess on the test database.

pytest-django's test database is ``test_<name>``; the worker gets a DATABASE_URL
that points at it, and the Redis URL of the run (or a private redis-server the
test starts itself, so the shared one is never stopped).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from matching.workerproc import worker_kill, worker_start, worker_wait_ready


def worker_database_url() -> str:
    s = connection.settings_dict
    user = quote(s.get("USER") or "postgres")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def start_worker(request):
    """``start_worker(**env)`` → a running worker; every worker is killed at teardown."""
    procs = []

    def _start(*, redis_url: str | None = None, beat: bool = False, concurrency: int = 2, **env):
        log = tempfile.NamedTemporaryFile(prefix="match-worker-", suffix=".log", delete=False).name
        full_env = {
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis_url or settings.REDIS_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "AXES_ENABLED": "false",
            # REDIS_URL is already this xdist process's own database: the worker's settings must
            # not shift it again (portal/settings.py does so when PYTEST_XDIST_WORKER is set)
            "PYTEST_XDIST_WORKER": "",
            **{k: str(v) for k, v in env.items()},
        }
        proc = worker_start(
            env=full_env,
            concurrency=concurrency,
            beat=beat,
            log_path=log,
            hostname=f"it-{len(procs)}-{os.getpid()}@%h",
        )
        proc.log_path = log
        procs.append(proc)
        worker_wait_ready(proc, log)
        return proc

    yield _start
    for proc in procs:
        worker_kill(proc)


def django_subprocess(body: str, *, redis_url: str) -> subprocess.CompletedProcess:
    """Run ``body`` (Python, after ``django.setup()``) in another process on the test database
    whose broker is ``redis_url`` (a stopped private Redis: the broker is down) and tasks are
    not eager."""
    code = (
        "import django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings')\n"
        "django.setup()\n" + textwrap.dedent(body)
    )
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "AXES_ENABLED": "false",
    }
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own (never the shared one), which the test may stop and start."""

    def __init__(self) -> None:
        self.port = (
            _free_port()
            if os.environ.get("MATCH_TEST_REDIS_PORT") is None
            else int(os.environ["MATCH_TEST_REDIS_PORT"])
        )
        self.dir = tempfile.mkdtemp(prefix="match-redis-")
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()
    shutil.rmtree(redis.dir, ignore_errors=True)


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
