"""Browser journeys (Playwright, Debian's Chromium, live server): the enterprise applies,
is returned for correction, corrects, is approved and confirms its account with one click;
the official reviews, confirms an auto-grant batch, instructs payment, exports the bank
batch, imports the results and reads the figures. Screenshots go to
test-artifacts/screenshots/applications-*.png."""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from applications import services
from applications.models import Application, Grant, GrantStatus
from tests.browser.conftest import chromium_browser, second_step
from tests.factories.accounts import EnterpriseUserFactory
from tests.factories.applications import BankAccountFactory, match_create
from tests.factories.enterprises import EnterpriseFactory, IndicatorValueFactory
from tests.factories.policies import DepartmentFactory, MaterialFactory, OfficialFactory, PolicyFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.browser

SCREENSHOTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "Demo-2026-zz"


@pytest.fixture(scope="module")
def chromium():
    return chromium_browser()  # the process's one Chromium (two sync Playwrights cannot coexist)


@pytest.fixture
def browser_page(chromium):
    contexts = []

    def make():
        context = chromium.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def shoot(page, name: str) -> None:
    """Desktop and phone screenshots; at 360 px the page must not scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"applications-{name}.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_timeout(100)
    page.screenshot(path=str(SCREENSHOTS / f"applications-{name}-phone.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0, f"{name}: {overflow}px wider than a 360 px phone"


def login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("main input[name=username]", username)
    page.fill("main input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    second_step(page, username)


@pytest.fixture
def city(transactional_db, live_server, settings, tmp_path):
    import importlib

    from django.apps import apps

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    importlib.import_module("enterprises.migrations.0002_builtin_indicators_and_tags").create(apps, None)
    department = DepartmentFactory(code="zz-gxj", name="郑州市工业和信息化局")
    official = OfficialFactory(username="gxj-reviewer", departments=[department], first_name="审核员")
    enterprise = EnterpriseFactory(
        name="郑州智造科技有限公司", contact_name="李经理", contact_phone="13812345678"
    )
    IndicatorValueFactory(enterprise=enterprise, period="2024", value=Decimal("30000000"))
    user = EnterpriseUserFactory(username="zhizao", enterprise=enterprise)
    policy = PolicyFactory(
        title="研发费用后补助",
        department=department,
        status="published",
        processing_days=10,
        criteria={
            "all": [
                {"field": "revenue", "op": ">", "value": 10000000},
                {"field": "rd_expense", "op": ">=", "value": 1000000},
            ]
        },
        award={"amount": "min(0.1 * rd_expense, 500000)"},
    )
    MaterialFactory(policy=policy, name="营业执照", from_shared_data=True, position=0)
    MaterialFactory(
        policy=policy, name="研发费用专项审计报告", from_shared_data=False, required=True, position=1
    )
    pdf = tmp_path / "审计报告.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return {
        "department": department,
        "official": official,
        "enterprise": enterprise,
        "user": user,
        "policy": policy,
        "pdf": pdf,
        "base": live_server.url,
        "tmp": tmp_path,
    }


def test_enterprise_applies_is_returned_corrects_and_is_approved_then_confirms_its_account(
    city, browser_page
):
    base = city["base"]
    ent = browser_page()
    login(ent, base, "zhizao")
    # the form is pre-filled from the registry and asks only for the R&D expense
    ent.goto(f"{base}/applications/apply/{city['policy'].pk}/")
    assert ent.locator("[data-field=credit_code]").inner_text() == city["enterprise"].credit_code
    assert ent.locator("input[name=declared__rd_expense]").count() == 1
    assert ent.locator("input[name=declared__revenue]").count() == 0
    assert "免提交" in ent.content()
    shoot(ent, "01-apply-form")
    ent.fill("input[name=declared__rd_expense]", "2500000")
    ent.set_input_files(
        f"input[name=material_{city['policy'].materials.get(from_shared_data=False).pk}]", str(city["pdf"])
    )
    ent.click("#apply-form button[type=submit]")
    ent.wait_for_load_state("networkidle")
    assert ent.locator("#status").get_attribute("data-status") == "submitted"
    assert "剩余 10 个工作日" in ent.locator("#days-left").inner_text()
    shoot(ent, "02-submitted")
    application = Application.objects.get()

    # the official sees it in the queue with its days left, opens it and returns it for correction
    gov = browser_page()
    login(gov, base, "gxj-reviewer")
    gov.goto(f"{base}/applications/review/")
    row = gov.locator(f"tr[data-reference='{application.reference}']")
    assert row.locator(".days-left").inner_text().strip() == "10"
    shoot(gov, "03-review-queue")
    row.locator("a").click()
    gov.click("#btn-accept")
    gov.fill("#id_reasons", "审计报告缺少盖章页，请补正")
    gov.click("#btn-return")
    gov.wait_for_load_state("networkidle")
    assert gov.locator("#status").get_attribute("data-status") == "returned"
    shoot(gov, "04-returned-official")

    # the enterprise sees the reasons, uploads the corrected report and resubmits
    ent.goto(f"{base}/applications/{application.pk}/")
    assert "审计报告缺少盖章页" in ent.locator("#reasons").inner_text()
    shoot(ent, "05-returned-enterprise")
    ent.set_input_files("#correct input[type=file]", str(city["pdf"]))
    ent.fill("#id_comment", "已补盖章页")
    ent.click("#btn-resubmit")
    ent.wait_for_load_state("networkidle")
    assert ent.locator("#status").get_attribute("data-status") == "submitted"

    # the official approves with an amount
    gov.goto(f"{base}/applications/{application.pk}/")
    gov.fill("#id_amount", "250000")
    gov.click("#btn-approve")
    gov.wait_for_load_state("networkidle")
    assert gov.locator("#status").get_attribute("data-status") == "approved"
    actions = gov.locator(".event-log li").evaluate_all("els => els.map(e => e.dataset.action)")
    assert actions == ["submitted", "accepted", "returned", "resubmitted", "approved"]
    shoot(gov, "06-approved-official")

    # the enterprise finds the grant in "我的申报" and confirms its account with one click
    BankAccountFactory(enterprise=city["enterprise"], account_number="1702000012345678901")
    ent.goto(f"{base}/applications/mine/")
    shoot(ent, "07-my-applications")
    ent.locator("[data-grant] a").first.click()
    ent.click("#confirm-account a")
    assert "1702 **** 8901" in ent.locator("#account-on-file").inner_text()
    shoot(ent, "08-confirm-account")
    ent.click("#btn-confirm-account")
    ent.wait_for_load_state("networkidle")
    assert ent.locator("#confirmed").count() == 1
    assert Grant.objects.get().status == GrantStatus.READY


def test_official_confirms_an_auto_grant_batch_pays_it_and_reads_days_to_money(city, browser_page, settings):
    base = city["base"]
    # the notice and objections: tests/journeys/test_autogrant_notice_journey.py
    settings.AUTOGRANT_NOTICE_WORKDAYS = 0
    auto = PolicyFactory(
        title="规上工业企业稳增长奖励",
        department=city["department"],
        status="published",
        auto_grant=True,
        award={"amount": "min(0.01 * revenue, 500000)"},
    )
    others = [EnterpriseFactory(name=f"郑州配套{i}有限公司") for i in range(2)]
    eligible_since = timezone.now() - timedelta(days=5)
    for enterprise in [city["enterprise"], *others]:
        IndicatorValueFactory(
            enterprise=enterprise, period="2024", value=Decimal("20000000")
        ) if enterprise in others else None
        match_create(policy=auto, enterprise=enterprise, matched_at=eligible_since)
        BankAccountFactory(enterprise=enterprise)
    services.grant_proposals_generate(policy_id=auto.pk, period="2026")

    gov = browser_page()
    login(gov, base, "gxj-reviewer")
    gov.goto(f"{base}/applications/autogrant/")
    gov.click(f"text={auto.title}")
    gov.wait_for_load_state("networkidle")
    gov.goto(f"{base}/applications/autogrant/{auto.pk}/?period=2026")
    assert gov.locator("tr[data-proposal]").count() == 3
    shoot(gov, "10-autogrant-batch")
    # exclude one with a reason (the prompt), confirm the rest as a batch
    excluded = others[1]
    gov.once("dialog", lambda dialog: dialog.accept("企业已迁出郑州，经核实不予兑现"))
    gov.locator("tr[data-proposal]", has_text=excluded.name).locator("button").click()
    gov.wait_for_load_state("networkidle")
    gov.click("#btn-confirm-batch")
    gov.wait_for_load_state("networkidle")
    gov.click("#btn-confirm-final")  # public money: the separate confirm step
    gov.wait_for_load_state("networkidle")
    assert "已确认 2 家企业" in gov.content()
    shoot(gov, "11-batch-confirmed")

    # the enterprise confirms its account from the in-app link (one click)
    ent = browser_page()
    login(ent, base, "zhizao")
    ent.goto(f"{base}/applications/mine/")
    link = ent.locator("a", has_text="请确认收款账户").first.get_attribute("href")
    ent.goto(f"{base}{link}")
    ent.click("#btn-confirm-account")
    ent.wait_for_load_state("networkidle")
    other_grant = Grant.objects.get(enterprise=others[0])
    services.grant_account_confirm(grant=other_grant, via_token=True)

    # the official instructs payment, downloads the bank batch and imports the results
    gov.goto(f"{base}/applications/payments/")
    gov.click("#btn-instruct")
    gov.wait_for_load_state("networkidle")
    gov.click("#btn-instruct-final")
    gov.wait_for_load_state("networkidle")
    with gov.expect_download() as download:
        gov.click("text=导出银行批量文件 CSV")
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["批次号", "序号", "指令编号"] and len(rows) == 3
    results = io.StringIO()
    writer = csv.writer(results)
    writer.writerow(["指令编号", "结果", "到账日期", "失败原因", "银行流水号"])
    for row in rows[1:]:
        writer.writerow([row[2], "成功", timezone.localdate().isoformat(), "", "B" + row[1]])
    path = city["tmp"] / "results.csv"
    path.write_text(results.getvalue(), encoding="utf-8")
    gov.set_input_files("#id_result_file", str(path))
    gov.click("#btn-import")
    gov.wait_for_load_state("networkidle")
    gov.click("#btn-import-final")  # the confirm step
    gov.wait_for_load_state("networkidle")
    assert "到账 2 笔" in gov.locator("#import-result").inner_text()
    shoot(gov, "12-payments")
    gov.goto(f"{base}/applications/figures/")
    # matched five days ago, paid today
    assert gov.locator("#days-to-money strong").inner_text() == "5"
    shoot(gov, "13-figures")

    # the enterprise sees the money and confirms receipt
    grant = Grant.objects.get(enterprise=city["enterprise"])
    ent.goto(f"{base}/applications/grants/{grant.pk}/")
    ent.check("#amount-ok-yes")
    ent.click("#btn-received")
    ent.wait_for_load_state("networkidle")
    assert ent.locator("#grant-status").get_attribute("data-status") == "received"
    shoot(ent, "14-received")
