"""Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

No browser is downloaded: the executable is ``CHROMIUM_PATH`` (default /usr/bin/chromium).
Screenshots of each page at desktop (1280 px) and phone (360 px) width go to
``test-artifacts/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told that this is deliberate (the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


_SHARED: dict = {}


def chromium_browser():
    """The one Chromium of this test process. Playwright's sync API cannot run two instances at
    once in a thread, so every suite (tests/browser, tests/journeys, tests/applications) shares
    this one, whatever order xdist runs their tests in; it is closed when the process exits."""
    if "browser" not in _SHARED:
        from playwright.sync_api import sync_playwright

        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        atexit.register(_chromium_stop)
    return _SHARED["browser"]


def _chromium_stop() -> None:
    browser, playwright = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


@pytest.fixture(scope="session")
def chromium():
    return chromium_browser()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def new_page(chromium):
    """A second, separate browser session (another user)."""
    contexts = []

    def make():
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        contexts.append(context)
        p = context.new_page()
        p.set_default_timeout(15_000)
        return p

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def live_city(transactional_db, live_server, settings):
    """The small city of tests/web, built with the real services; the pipeline's tasks run
    in-process (eager) so that matches and notifications exist when the pages load."""
    from django.core.cache import cache

    from portal.celery import app
    from tests.web.conftest import _process_caches_reset, build_city

    before = app.conf.task_always_eager  # before the override (see tests/web/conftest.py)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    builtin_vocabulary_restore()
    app.conf.task_always_eager = True
    cache.clear()
    _process_caches_reset()
    city = build_city()
    yield city
    app.conf.task_always_eager = before
    cache.clear()


def builtin_vocabulary_restore() -> None:
    """A transactional test flushes the tables, data migrations included: put the built-in
    indicators and tags back (the registry's own data migration)."""
    import importlib

    from django.apps import apps

    importlib.import_module("enterprises.migrations.0002_builtin_indicators_and_tags").create(apps, None)


def shoot(page, name: str) -> None:
    """Full-page screenshots at desktop and phone width; the phone layout must not scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in (("desktop", 1280), ("phone", 360)):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        if label == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name}: {overflow}px wider than a 360 px phone"
    page.set_viewport_size({"width": 1280, "height": 900})


def login(page, base_url: str, username: str, password: str = "Demo-2026-zz") -> None:
    """Sign in through the login form and, for a user who owes it, the real second step."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("main input[name=username]", username)
    page.fill("main input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    second_step(page, username)


def second_step(page, username: str) -> None:
    """On the second-factor page (officials, staff, superusers): type the current code of the
    user's authenticator, computed from its TOTP device (one is enrolled for a user who has none,
    as an official does at the first sign-in). A code is accepted once per 30-s step, so the
    device's last used step and wrong-code back-off are cleared first: a journey signs the same
    official in several times within one step, as a person could only by waiting for the next."""
    from urllib.parse import urlparse

    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.second_factor_helpers import device_for, totp_now

    path = urlparse(page.url).path
    if not path.startswith("/accounts/2fa/"):
        return
    user = get_user_model().objects.get(username=username)
    device = device_for(user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    if path.startswith("/accounts/2fa/setup/"):
        page.goto(page.url.replace("/accounts/2fa/setup/", "/accounts/2fa/", 1))
    device.refresh_from_db()
    page.fill("main input[name=code]", totp_now(device))
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_load_state("networkidle")
