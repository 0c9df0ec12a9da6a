"""免申即享 as the rules now require, walked in Chromium at desktop and phone width: the official
confirms a batch (一键确认, on its own confirm step), the list goes up on the public 公示 page, an
anonymous visitor objects to one entry (a bad try first), an enterprise left out reports
应享未享 with evidence, the official decides both, payment is refused until the notice period
is over (the clock is moved past it), the payment is instructed (confirm step) and marked from
the bank's results, the enterprise confirms receipt and the amount, and the dashboard's
figures (days to money, objections and outcomes, the 应享未享 rate) move."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.browser.axe import assert_accessible
from tests.browser.conftest import new_page  # noqa: F401 - fixture

from .conftest import builtin_vocabulary_restore, caches_reset, login, shoot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.browser


def _figures(page, base: str) -> dict[str, str]:
    page.goto(f"{base}/staff/dashboard/")
    section = page.locator("#autogrant-figures")
    figures = {
        key: section.locator(f"[data-figure={key}] strong").inner_text()
        for key in ("days-median", "days-p90", "missed-rate")
    }
    for kind in ("objection", "missed"):
        cells = page.locator(f"#autogrant-objections tr[data-kind={kind}] td").all_inner_texts()
        figures[kind] = "/".join(cells)  # total/open/upheld/rejected
    return figures


def test_a_batch_goes_through_notice_objection_payment_and_receipt(
    transactional_db,
    live_server,
    page,
    new_page,  # noqa: F811 - the fixture imported above
    settings,
    tmp_path,
):
    from applications import services
    from applications.models import Grant, GrantBatch, GrantObjection, PaymentInstruction
    from tests.factories.accounts import EnterpriseUserFactory
    from tests.factories.applications import BankAccountFactory, match_create
    from tests.factories.enterprises import EnterpriseFactory, IndicatorValueFactory
    from tests.factories.policies import DepartmentFactory, OfficialFactory, PolicyFactory

    settings.AUTOGRANT_NOTICE_WORKDAYS = 5
    settings.OBJECTIONS_PER_IP_PER_HOUR = 100
    settings.MEDIA_ROOT = tmp_path / "media"
    builtin_vocabulary_restore()
    caches_reset()
    base = live_server.url
    department = DepartmentFactory(code="zz-gxj", name="郑州市工业和信息化局")
    OfficialFactory(username="gxj-official", departments=[department], first_name="王科长")
    policy = PolicyFactory(
        title="规上工业企业稳增长奖励",
        department=department,
        status="published",
        auto_grant=True,
        award={"amount": "min(0.01 * revenue, 500000)"},
    )
    paid_one = EnterpriseFactory(
        name="郑州智造科技有限公司", contact_name="李经理", contact_phone="13812345678"
    )
    objected = EnterpriseFactory(
        name="郑州精工机械有限公司", contact_name="赵会计", contact_phone="13987654321"
    )
    left_out = EnterpriseFactory(name="郑州远航物流有限公司")
    for enterprise, revenue in ((paid_one, "30000000"), (objected, "20000000")):
        IndicatorValueFactory(enterprise=enterprise, period="2024", value=Decimal(revenue))
        match_create(policy=policy, enterprise=enterprise)
        BankAccountFactory(enterprise=enterprise)
    EnterpriseUserFactory(username="zhizao", enterprise=paid_one)
    EnterpriseUserFactory(username="yuanhang", enterprise=left_out)
    period = str(timezone.localdate().year)
    services.grant_proposals_generate(policy_id=policy.pk, period=period)

    # the dashboard before: two enterprises eligible, none paid, nothing raised
    login(page, base, "gxj-official")
    before = _figures(page, base)
    assert before == {
        "days-median": "—",
        "days-p90": "—",
        "missed-rate": "100.0%",
        "objection": "0/0/0/0",
        "missed": "0/0/0/0",
    }

    # 一键确认 on its own step: what it commits, and that the list will be public until …
    page.goto(f"{base}/applications/autogrant/{policy.pk}/?period={period}")
    page.click("#btn-confirm-batch")
    page.wait_for_load_state("networkidle")
    assert "公示至" in page.locator("#confirm-summary").inner_text()
    assert not GrantBatch.objects.exists()
    assert_accessible(page, "autogrant-confirm")
    shoot(page, "autogrant-notice-01-confirm-step")
    page.click("#btn-confirm-final")
    page.wait_for_load_state("networkidle")
    assert "已确认 2 家企业" in page.content()
    batch = GrantBatch.objects.get()
    assert batch.notice_until > timezone.localdate()

    # the public list, no account: names and amounts only
    visitor = new_page()
    visitor.goto(f"{base}/applications/notice/")
    assert_accessible(visitor, "notice-list")
    shoot(visitor, "autogrant-notice-02-public-lists")
    visitor.click(f"text={policy.title}")
    visitor.wait_for_load_state("networkidle")
    table = visitor.locator("#notice-list").inner_text()
    assert paid_one.name in table and objected.name in table and "30万元" in table
    html = visitor.content()
    for private in (paid_one.credit_code, objected.contact_phone, "李经理", "赵会计"):
        assert private not in html
    assert_accessible(visitor, "notice-batch")
    shoot(visitor, "autogrant-notice-03-public-list")
    # a bad objection is refused field by field, in the visitor's language
    visitor.click("#btn-object")
    visitor.wait_for_load_state("networkidle")
    assert "请从公示名单中选择异议对象" in visitor.locator("#err-grant").inner_text()
    assert "请填写异议理由" in visitor.locator("#err-reason").inner_text()
    assert_accessible(visitor, "notice-batch-refused")
    visitor.select_option("#id_grant", label=objected.name)
    visitor.fill("#id_reason", "该企业2024年已将注册地迁出郑州，不应享受本市奖励。")
    visitor.fill("#id_contact", "13700001111")
    visitor.click("#btn-object")
    visitor.wait_for_load_state("networkidle")
    assert visitor.locator("#objection-state").get_attribute("data-status") == "open"
    status_url = visitor.url
    assert_accessible(visitor, "objection-status")
    shoot(visitor, "autogrant-notice-04-objection-filed")

    # an enterprise left out reports 应享未享 with evidence
    evidence = tmp_path / "营业收入证明.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    other = new_page()
    login(other, base, "yuanhang")
    other.goto(f"{base}/applications/grants/missed/")
    other.select_option("#id_policy", label=f"{policy.title}（{department.name}）")
    other.fill("#id_reason", "我司2024年营业收入2500万元，符合稳增长奖励条件，但未列入名单。")
    other.fill("#id_expected_amount", "250000")
    other.set_input_files("#id_files", str(evidence))
    other.click("#btn-missed")
    other.wait_for_load_state("networkidle")
    assert other.locator("#my-reports li[data-status=open]").count() == 1
    assert_accessible(other, "missed-report")
    shoot(other, "autogrant-notice-05-missed-report")

    # the accounts are confirmed; payment is refused while the list is on notice
    for grant in Grant.objects.all():
        services.grant_account_confirm(grant=grant, via_token=True)
    page.goto(f"{base}/applications/payments/")
    row = page.locator("#ledger tr", has_text=paid_one.name)
    assert "公示期至" in row.inner_text() and row.locator("input[type=checkbox]").count() == 0
    shoot(page, "autogrant-notice-06-payment-waits")

    # the official decides both, with reasons
    page.goto(f"{base}/applications/autogrant/objections/")
    assert_accessible(page, "objections")
    shoot(page, "autogrant-notice-07-objections")
    objection = GrantObjection.objects.get(kind="objection")
    card = page.locator(f"#objection-{objection.pk}")
    card.locator("input[value=upheld]").check()
    card.locator("textarea[name=decision]").fill("经核实，该企业已于2024年迁出本市，撤销该笔兑现。")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    report = GrantObjection.objects.get(kind="missed")
    card = page.locator(f"#objection-{report.pk}")
    card.locator("input[value=rejected]").check()
    card.locator("textarea[name=decision]").fill("经核实，贵企业2024年营业收入未达到政策规定的统计口径。")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#objections li[data-status=open]").count() == 0
    assert Grant.objects.get(enterprise=objected).status == "cancelled"
    # the visitor sees the decision by the link; the list shows the entry withdrawn
    visitor.goto(status_url)
    assert "撤销该笔兑现" in visitor.locator("#objection-decision").inner_text()
    shoot(visitor, "autogrant-notice-08-decision")
    visitor.goto(f"{base}/applications/notice/{batch.pk}/")
    assert "已撤销" in visitor.locator("#notice-list tr", has_text=objected.name).inner_text()
    # the enterprise left out reads the decision in its list (and its inbox)
    other.goto(f"{base}/applications/grants/missed/")
    assert "统计口径" in other.locator("#my-reports").inner_text()

    # the notice period is over: the clock moves to the next working day after it
    after = dt.datetime.combine(
        batch.notice_until + dt.timedelta(days=1), dt.time(10), tzinfo=timezone.get_current_timezone()
    )
    while after.weekday() >= 5:
        after += dt.timedelta(days=1)
    with time_machine.travel(after, tick=True):
        login(page, base, "gxj-official")
        page.goto(f"{base}/applications/payments/")
        page.click("#btn-instruct")
        page.wait_for_load_state("networkidle")
        assert_accessible(page, "payments-confirm")
        shoot(page, "autogrant-notice-09-payment-confirm-step")
        assert not PaymentInstruction.objects.exists()
        page.click("#btn-instruct-final")
        page.wait_for_load_state("networkidle")
        instruction = PaymentInstruction.objects.get()
        assert instruction.grant.enterprise_id == paid_one.pk
        results = io.StringIO()
        writer = csv.writer(results)
        writer.writerow(["指令编号", "结果", "到账日期", "失败原因", "银行流水号"])
        writer.writerow([instruction.reference, "成功", timezone.localdate().isoformat(), "", "B0001"])
        path = tmp_path / "results.csv"
        path.write_text(results.getvalue(), encoding="utf-8")
        page.set_input_files("#id_result_file", str(path))
        page.click("#btn-import")
        page.wait_for_load_state("networkidle")
        # marking money paid is confirmed on its own step too: nothing is written before it
        assert "到账 1 笔" in page.locator("#confirm-summary").inner_text()
        assert PaymentInstruction.objects.get().status == "instructed"
        assert_accessible(page, "payments-import-confirm")
        shoot(page, "autogrant-notice-10a-import-confirm-step")
        page.click("#btn-import-final")
        page.wait_for_load_state("networkidle")
        assert "到账 1 笔" in page.locator("#import-result").inner_text()

        # the enterprise confirms receipt and that the amount was right
        ent = new_page()
        login(ent, base, "zhizao")
        grant = Grant.objects.get(enterprise=paid_one)
        ent.goto(f"{base}/applications/grants/{grant.pk}/")
        assert_accessible(ent, "grant-receipt")
        shoot(ent, "autogrant-notice-10-receipt")
        ent.check("#amount-ok-yes")
        ent.click("#btn-received")
        ent.wait_for_load_state("networkidle")
        assert ent.locator("#grant-status").get_attribute("data-status") == "received"
        assert "金额无误" in ent.locator("#amount-confirmed").inner_text()

        # the dashboard's figures moved
        days = (timezone.localdate() - timezone.localtime(batch.confirmed_at).date()).days
        figures = _figures(page, base)
        assert figures == {
            "days-median": str(days),
            "days-p90": str(days),
            "missed-rate": "50.0%",
            "objection": "1/0/1/0",
            "missed": "1/0/0/1",
        }
        page.locator("#autogrant-figures").scroll_into_view_if_needed()
        assert_accessible(page, "dashboard-autogrant")
        shoot(page, "autogrant-notice-11-dashboard")
