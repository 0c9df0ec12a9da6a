"""The Content-Security-Policy (portal/settings.py, django-csp) lets the pages do what they
need and nothing else: Chromium loads the home page, a policy page, the calculator (and
submits it, an htmx request), the staff dashboard (ECharts) and the admin's policy change
form, and reports no violation in the console."""

from __future__ import annotations

import pytest

from tests.factories.policies import OfficialFactory

from .conftest import login

pytestmark = [pytest.mark.browser]


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


def test_the_main_pages_run_under_the_content_security_policy(live_city, live_server, page, new_page):
    base = live_server.url
    policy = live_city.policies["capital"]
    violations = _violations(page)

    response = page.goto(f"{base}/")
    assert "object-src 'none'" in response.headers["content-security-policy"]
    page.goto(f"{base}/policy/{policy.pk}/")
    page.set_viewport_size({"width": 360, "height": 800})
    response = page.goto(f"{base}/policy/")  # the filters' inline script, with the page's nonce
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    assert page.locator("details.facets-toggle:not([open])").count() == 1  # it ran: folded on a phone
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/calculator/")
    page.locator("main form .screener-actions button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")

    staff = new_page()
    staff_violations = _violations(staff)
    OfficialFactory(
        username="csp-reviewer", password="Demo-2026-zz", departments=[live_city.department], reviewer=True
    )
    login(staff, base, "csp-reviewer")
    staff.goto(f"{base}/staff/dashboard/")
    staff.wait_for_load_state("networkidle")
    assert staff.locator("svg").count() > 0, "the dashboard's ECharts drew nothing"
    staff.goto(f"{base}/admin/policies/policy/{policy.pk}/change/")
    staff.wait_for_load_state("networkidle")
    assert staff.locator("form#policy_form").count() == 1

    assert violations == [] and staff_violations == []

    # and what the policy is for: an injected inline script does not run, and is reported
    page.evaluate("""() => { const s = document.createElement("script");
        s.textContent = "window.injected = true"; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected === undefined")
    assert any("Content Security Policy" in v for v in violations)
