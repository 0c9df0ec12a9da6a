"""Shared test configuration.

Tests marked ``services`` need the real PostgreSQL and Redis; ``postgres`` tests need
PostgreSQL. They never skip: without the services they fail and say why, so that CI
cannot pass by skipping (`make test` points them at the local services).
"""

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

#: Run the whole suite on another day: ``PORTAL_TEST_TODAY=2030-06-30 make test-fast``.
TEST_TODAY_ENV = "PORTAL_TEST_TODAY"


def pytest_configure(config):
    """With PORTAL_TEST_TODAY set, the clock of this process (every test, fixture and live
    server thread) is moved to noon of that day in Shanghai (or to the time it gives) and keeps
    ticking. Tests derive their dates from ``timezone.localdate()``, so they must pass on any day; tests/
    test_any_day.py runs the suite's date-sensitive tests this way on a few far dates. A real
    Celery worker (``services`` tests) runs in another process on the real clock, which is why
    those tests are left out of such runs."""
    today = os.environ.get(TEST_TODAY_ENV)
    if today:
        # "2030-06-30" is noon of that day; "2028-02-29T00:30" that time (Shanghai), when the
        # UTC date is still the day before: what catches a test that takes a UTC date for a local one
        day, _, at = today.partition("T")
        moment = dt.datetime.combine(
            dt.date.fromisoformat(day),
            dt.time.fromisoformat(at) if at else dt.time(12),
            tzinfo=ZoneInfo(settings.TIME_ZONE),
        )
        config._portal_clock = time_machine.travel(moment, tick=True)
        config._portal_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_portal_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    return f"today: {dt.datetime.now(ZoneInfo(settings.TIME_ZONE)):%Y-%m-%d %H:%M} ({settings.TIME_ZONE})"


#: A test module that mentions any of these is date-sensitive (marked ``clock``): it runs again
#: on far days in tests/test_any_day.py. Marking by the module's words, not by hand, keeps new
#: tests covered without anyone remembering to mark them.
_DATE_WORDS = re.compile(
    r"localdate|timezone\.now|datetime|\bdate\b|time_machine|apply_(?:start|end)|valid_until|expires_on"
    r"|recognized_on|established_on|due_on|as_of|last_year|this_year|period|deadline|expire"
)
_clock_modules: dict[str, bool] = {}


def _is_date_sensitive(path) -> bool:
    key = str(path)
    if key not in _clock_modules:
        try:
            _clock_modules[key] = bool(_DATE_WORDS.search(Path(key).read_text(encoding="utf-8")))
        except OSError:
            _clock_modules[key] = False
    return _clock_modules[key]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_date_sensitive(item.path):
            item.add_marker(pytest.mark.clock)
        if (item.get_closest_marker("services") or item.get_closest_marker("postgres")) and not (
            item.get_closest_marker("django_db")
        ):
            item.add_marker(pytest.mark.django_db(transaction=bool(item.get_closest_marker("services"))))


@pytest.fixture(autouse=True)
def _require_services(request):
    if request.node.get_closest_marker("postgres") or request.node.get_closest_marker("services"):
        if not settings.IS_POSTGRES:
            pytest.fail("this test needs PostgreSQL: set DATABASE_URL (make test does) — see README")
    if request.node.get_closest_marker("services") and not settings.REDIS_URL:
        pytest.fail("this test needs Redis: set REDIS_URL (make test does) — see README")


@pytest.fixture(autouse=True)
def _fresh_compiled_policies():
    """The per-worker cache of compiled policy SQL is keyed by policy id and version; test
    databases reuse ids (rolled-back transactions), so it must not outlive a test."""
    from matching.pipeline import policy_run

    policy_run._TEMPLATES.clear()
    yield
    policy_run._TEMPLATES.clear()


@pytest.fixture(autouse=True)
def _second_factor_on_force_login(request, monkeypatch):
    """Django's test ``Client.force_login``/``login`` stand for a finished sign-in: for a user who
    owes the second factor (officials, staff, superusers, enterprise users who enrolled) they
    also do what the real second step does — verify the session with the user's TOTP device
    (one is created, confirmed, for a user who has none). The requirement itself stays on: a
    login through the pages (POST /accounts/login/) still stops at the second step. Tests of the
    second factor itself mark themselves ``@pytest.mark.real_second_factor`` to opt out."""
    if request.node.get_closest_marker("real_second_factor"):
        yield
        return
    from django.test.client import Client

    from tests.second_factor_helpers import device_for

    original = Client._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        device = device_for(user)
        if device is not None:
            from portal.accounts.second_factor import session_mark_verified

            session = self.session
            session_mark_verified(session, device)
            session.save()

    monkeypatch.setattr(Client, "_login", _login)
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's default language: a request with the English cookie
    leaves English active in the test thread (the locale middleware activates per request and
    never resets), which made later tests that read messages outside a request see English."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
