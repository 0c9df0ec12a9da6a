"""The suite passes on any day: the date-sensitive tests (``clock``, see tests/conftest.py) run
again in a child pytest whose clock is moved to a far date (PORTAL_TEST_TODAY): a new year's
day, a 29 February just after midnight in Shanghai and a mid-year day a few years ahead. Tests that need the real Celery worker
or Chromium are left out of the child run (the worker keeps the real clock)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Noon of each day, but the leap day at 00:30 Shanghai time, when the UTC date is still the 28th:
# a test that takes a UTC date (``aware.date()``) for the local one fails there.
FAR_DAYS = ["2027-01-01", "2028-02-29T00:30", "2030-06-30"]


def _child_database_url(day: str) -> str | None:
    """A database of the child's own on the same server (test_portal_day…), never the parent's."""
    if not settings.IS_POSTGRES:
        return None
    url = os.environ.get("DATABASE_URL", "")
    base = url.rsplit("/", 1)[0]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = re.sub(r"\W", "", day)  # 2028-02-29T00:30 -> 20280229T0030
    return f"{base}/portal_day{name}_{worker}"


@pytest.mark.timeout(2400)
@pytest.mark.parametrize("day", FAR_DAYS)
def test_the_date_sensitive_tests_pass_on_a_far_day(day):
    # given the clock of a child pytest moved to a far day
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_SETTINGS"))}
    env["PORTAL_TEST_TODAY"] = day
    database_url = _child_database_url(day)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)  # eager tasks, local-memory cache: no worker is involved
    # when it runs the date-sensitive tests
    marks = "clock and not services and not browser" + ("" if database_url else " and not postgres")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-m",
            marks,
            "-x",
            # on PostgreSQL in two processes: three days of ~1,500 tests each are the suite's
            # longest items (10-19 min each in one process), and they tend to come last, when the
            # parent's other process has nothing left to run (on SQLite, when this test is run by
            # hand, in one process: `make test-fast` leaves it out)
            *(["-n", "2"] if database_url else []),
            "--ignore",
            str(Path(__file__).relative_to(ROOT)),
            "-W",
            "ignore",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=2300,
    )
    # then they pass, on that day
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, f"on {day}:\n{tail}\n{result.stderr[-2000:]}"
    assert f"today: {day.replace('T', ' ')}" in result.stdout
    assert " passed" in tail and " failed" not in tail
