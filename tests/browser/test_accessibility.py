"""axe-core on every page an anonymous visitor, an enterprise user and an official can reach,
at desktop (1280 px) and phone (360 px) width: no serious or critical violation (labels,
contrast, table headers …), and on a phone nothing wider than the screen. Screenshots of each
page go to test-artifacts/screenshots/a11y-*.png, the full axe results to test-artifacts/axe/.

Each test walks its pages and reports every failing page at once (one run shows all that
is wrong, not only the first)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .axe import assert_accessible
from .conftest import SCREENSHOTS, login

pytestmark = pytest.mark.browser

WIDTHS = (("desktop", 1280), ("phone", 360))


def _check(page, base: str, path: str, name: str) -> list[str]:
    """Open ``path``, run axe-core at both widths and take the screenshots; the problems found."""
    problems: list[str] = []
    response = page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    status = response.status if response else 0
    if status >= 500:
        return [f"{name} ({path}): HTTP {status}"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        try:
            assert_accessible(page, f"{name}-{label}")
        except AssertionError as exc:
            problems.append(str(exc))
        page.screenshot(path=str(SCREENSHOTS / f"a11y-{name}-{label}.png"), full_page=True)
        if label == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name} ({path}): {overflow}px wider than a 360 px phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def _walk(page, base: str, pages: list[tuple[str, str]]) -> None:
    problems: list[str] = []
    for name, path in pages:
        problems += _check(page, base, path, name)
    assert not problems, "\n".join(problems)


def _optional(name: str, *args) -> str | None:
    """The URL of a page that another part of the portal may not provide (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@pytest.fixture
def world(live_city, settings, tmp_path):
    """The city of tests/web with something behind each page: an application approved into a
    grant, a problem raised and accepted, an arrears report, an official of the department
    who reviews, handles problems, looks after the enterprise and reads the audit trail."""
    from django.contrib.auth.models import Permission

    from appeals import services as appeals
    from appeals.models import Category
    from applications import services as applications
    from applications.models import Grant
    from liaison import services as liaison
    from tests.factories.policies import OfficialFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    city = live_city
    official = OfficialFactory(username="a11y-official", departments=[city.department], reviewer=True)
    official.user_permissions.add(Permission.objects.get(codename="view_audit_trail"))
    application = applications.application_submit(
        policy=city.policies["generic"],
        enterprise=city.enterprise,
        applicant=city.user,
        declared={"contact_name": "李四", "contact_phone": "13812345678"},
        files=[],
    )
    applications.application_approve(application=application, actor=official, amount="100000")
    pending = applications.application_submit(
        policy=city.policies["hightech"],
        enterprise=city.enterprise,
        applicant=city.user,
        declared={"contact_name": "李四", "contact_phone": "13812345678"},
        files=[],
    )
    case = appeals.case_raise(
        enterprise=city.enterprise,
        raised_by=city.user,
        category=Category.FINANCE,
        title="补贴到账慢",
        description="公示后两个月未到账",
        department=city.department,
    )
    appeals.case_accept(case=case, actor=official)
    arrears = appeals.arrears_report(
        enterprise=city.enterprise,
        reported_by=city.user,
        debtor_name="某区住建局",
        debtor_type="government",
        amount="90000",
        department=city.department,
        due_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    liaison.assignment_create(official=official, enterprise=city.enterprise)
    return {
        "city": city,
        "official": official,
        "application": application,
        "pending": pending,
        "grant": Grant.objects.get(application=application),
        "case": case,
        "arrears": arrears,
    }


def test_anonymous_pages_have_no_serious_accessibility_violation(live_city, live_server, page):
    city = live_city
    pages = [
        ("home", "/"),
        ("policy-list", reverse("web:policy_list")),
        (
            "policy-search",
            reverse("web:policy_list") + "?q=研发&benefit_type=subsidy&open=on&industry=I&district=410105",
        ),
        ("policy-detail", reverse("web:policy_detail", args=[city.policies["rd"].pk])),
        ("calculator", reverse("web:calculator")),
        (
            "calculator-results",
            reverse("web:calculator") + "?district=410105&industry=I6513&registered_capital=500",
        ),
        ("login", reverse("accounts:login")),
        ("password-reset", reverse("accounts:password_reset")),
        ("not-found", "/policy/999999/"),
        ("not-found-path", "/no/such/page/"),
    ]
    # the pages other parts of issue 16 added (each also runs axe-core on its own journeys)
    for name, path in (
        ("calendar", _optional("subscriptions:calendar")),
        ("subscribe", _optional("subscriptions:subscribe")),
        ("subscribe-search", (_optional("subscriptions:subscribe") or "") + "?q=研发&benefit_type=subsidy"),
        ("notices", _optional("applications:notice_list")),
    ):
        if path and not path.startswith("?"):
            pages.append((name, path))
    from portal.web import services

    if hasattr(services, "calculator_answers_keep"):  # the screener's kept results and their print view
        kept = services.calculator_answers_keep(
            profile={"district": "410105", "industry": "I6513", "registered_capital": "5000000"},
            inputs_answered=3,
        )
        pages += [
            ("calculator-kept", reverse("web:calculator_result", args=[kept.token])),
            ("calculator-print", reverse("web:calculator_print", args=[kept.token])),
        ]
    _walk(page, live_server.url, pages)


def test_enterprise_pages_have_no_serious_accessibility_violation(world, live_server, page):
    city = world["city"]
    login(page, live_server.url, "jia")
    pages = [
        ("e-home", "/"),
        ("e-policy-detail", reverse("web:policy_detail", args=[city.policies["rd"].pk])),
        ("e-my-policies", reverse("web:my_policies")),
        ("e-my-applications", reverse("applications:mine")),
        ("e-application", reverse("applications:detail", args=[world["application"].pk])),
        ("e-apply", reverse("applications:apply", args=[city.policies["revenue"].pk])),
        ("e-my-grants", reverse("applications:my_grants")),
        ("e-grant", reverse("applications:grant_detail", args=[world["grant"].pk])),
        ("e-my-enterprise", reverse("web:my_enterprise")),
        ("e-messages", reverse("web:inbox")),
        ("e-preferences", reverse("web:preferences")),
        ("e-appeals", reverse("appeals:mine")),
        ("e-appeal-new", reverse("appeals:new")),
        ("e-appeal", reverse("appeals:detail", args=[world["case"].pk])),
        ("e-arrears", reverse("appeals:my_arrears")),
        ("e-arrears-new", reverse("appeals:arrears_new")),
        ("e-arrears-detail", reverse("appeals:arrears_detail", args=[world["arrears"].pk])),
        ("e-password", reverse("accounts:password_change")),
    ]
    for name, path in (
        ("e-subscriptions", _optional("subscriptions:mine")),
        ("e-calendar", _optional("subscriptions:calendar")),
        ("e-missed-report", _optional("applications:missed_report")),
        ("e-notices", _optional("applications:notice_list")),
    ):
        if path:
            pages.append((name, path))
    _walk(page, live_server.url, pages)


def test_official_pages_have_no_serious_accessibility_violation(world, live_server, page):
    city = world["city"]
    login(page, live_server.url, "a11y-official")
    pages = [
        ("o-dashboard", reverse("dashboard:index")),
        ("o-review-queue", reverse("applications:review_queue")),
        ("o-application", reverse("applications:detail", args=[world["pending"].pk])),
        ("o-autogrant", reverse("applications:autogrant")),
        ("o-payments", reverse("applications:payments")),
        ("o-figures", reverse("applications:figures")),
        ("o-appeals", reverse("appeals:staff_queue")),
        ("o-appeal", reverse("appeals:staff_case", args=[world["case"].pk])),
        ("o-appeals-log", reverse("appeals:staff_log")),
        ("o-arrears", reverse("appeals:staff_arrears")),
        ("o-arrears-detail", reverse("appeals:staff_arrears_detail", args=[world["arrears"].pk])),
        ("o-liaison", reverse("liaison:mine")),
        ("o-coverage", reverse("liaison:coverage")),
        ("o-briefing", reverse("liaison:briefing", args=[city.enterprise.pk])),
        ("o-messages", reverse("inbox:list")),
        ("o-audit", reverse("audittrail:index")),
    ]
    for name, path in (("o-objections", _optional("applications:objections")),):
        if path:
            pages.append((name, path))
    _walk(page, live_server.url, pages)
