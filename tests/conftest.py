"""Shared test configuration.

Tests marked ``services`` need the real PostgreSQL and Redis; ``postgres`` tests need
PostgreSQL. They never skip: without the services they fail and say why, so that CI
cannot pass by skipping (`make test` points them at the local services).
"""

import pytest
from django.conf import settings


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("services") or item.get_closest_marker("postgres"):
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
def _default_language():
    """Each test starts in the portal's default language: a request with the English cookie
    leaves English active in the test thread (the locale middleware activates per request and
    never resets), which made later tests that read messages outside a request see English."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
