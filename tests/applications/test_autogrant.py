"""免申即享 end to end: proposals from eligible matches with frozen facts, batch confirmation,
the enterprise's one-click account confirmation, payment, receipt, days to money."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications import services
from applications.models import Grant, GrantProposal, GrantStatus
from applications.selectors import days_to_money, grant_totals, grants_for_enterprise
from inbox.models import Message
from tests.factories.applications import BankAccountFactory, match_create
from tests.factories.enterprises import EnterpriseFactory, IndicatorValueFactory
from tests.factories.policies import PolicyFactory

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def auto_policy(department):
    return PolicyFactory(
        title="规上工业企业稳增长奖励",
        department=department,
        status="published",
        auto_grant=True,
        award={"amount": "min(0.01 * revenue, 500000)"},
    )


def results_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["指令编号", "结果", "到账日期", "失败原因", "银行流水号"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def test_auto_grant_goes_from_match_to_money_with_every_step_visible(
    client, auto_policy, enterprise, enterprise_user, official, settings
):
    settings.AUTOGRANT_NOTICE_WORKDAYS = 0  # 信息公示 and its blocking: tests/applications/test_notice.py
    # given two eligible matches (one without revenue data) and one merely possible
    match_create(policy=auto_policy, enterprise=enterprise)
    no_data = EnterpriseFactory(name="缺数据公司")
    match_create(policy=auto_policy, enterprise=no_data)
    match_create(policy=auto_policy, enterprise=EnterpriseFactory(name="可能符合公司"), status="possible")

    # when proposals are generated
    assert services.grant_proposals_generate(policy_id=auto_policy.pk, period="2026", now=at(2026, 3, 3)) == 2
    proposal = GrantProposal.objects.get(enterprise=enterprise)
    unknown = GrantProposal.objects.get(enterprise=no_data)
    # then the amount comes from the formula and the facts are frozen with it
    assert proposal.amount == Decimal("300000.00")
    assert {k: Decimal(v) for k, v in proposal.facts["profile"]["indicators"]["revenue"].items()} == {
        "2024": Decimal("30000000")
    }
    assert proposal.facts["award"] == {"amount": "min(0.01 * revenue, 500000)"}
    assert unknown.status == "unknown" and unknown.amount is None
    # a later registry change does not touch the frozen facts; a rerun creates nothing
    IndicatorValueFactory(enterprise=enterprise, period="2025", value=Decimal("90000000"))
    assert services.grant_proposals_generate(policy_id=auto_policy.pk, period="2026", now=at(2026, 3, 4)) == 0
    proposal.refresh_from_db()
    assert (
        proposal.amount == Decimal("300000.00")
        and "2025" not in proposal.facts["profile"]["indicators"]["revenue"]
    )

    # when the official excludes the one without data and confirms the batch
    services.grant_proposal_exclude(proposal=unknown, actor=official, reason="缺少营业收入数据，转人工核实")
    batch = services.grant_batch_confirm(
        policy=auto_policy, period="2026", actor=official, now=at(2026, 3, 5)
    )
    assert (batch.count, batch.total) == (1, Decimal("300000.00"))
    grant = Grant.objects.get()
    assert (grant.enterprise_id, grant.status) == (enterprise.pk, GrantStatus.AWAITING_ACCOUNT)
    message = Message.objects.get(enterprise=enterprise, kind="grant")
    assert message.link.startswith("/applications/grants/confirm/")

    # when the enterprise opens the link (no login: the signed token) and confirms with one click
    BankAccountFactory(enterprise=enterprise, account_number="1702000012345678901")
    page = client.get(message.link)
    assert "1702 **** 8901" in page.content.decode() and "12345678" not in page.content.decode()
    client.post(message.link)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.READY
    assert grant.account_snapshot["account_number"] == "1702000012345678901"

    # when the official instructs payment, exports the bank batch and imports the result
    [instruction] = services.payment_instructions_create(
        grant_ids=[grant.pk], actor=official, now=at(2026, 3, 10)
    )
    services.payment_instructions_export(instructions=[instruction], fmt="csv", now=at(2026, 3, 10))
    result = services.payment_results_import(
        content=results_csv([[instruction.reference, "成功", "2026-03-20", "", "B20260320001"]]),
        filename="results.csv",
        actor=official,
        now=at(2026, 3, 21),
    )
    assert (result.ok, result.paid, result.failed) == (True, 1, 0)
    grant.refresh_from_db()
    assert (grant.status, grant.paid_on.isoformat()) == (GrantStatus.PAID, "2026-03-20")

    # then the enterprise confirms receipt, and both sides see every step
    services.grant_receipt_confirm(grant=grant, actor=enterprise_user, now=at(2026, 3, 21))
    assert [e.action for e in grant.events.order_by("id")] == [
        "granted",
        "account_confirmed",
        "instructed",
        "paid",
        "received",
    ]
    pushed = [
        t.split("：")[0]
        for t in Message.objects.filter(enterprise=enterprise, kind="grant")
        .order_by("id")
        .values_list("title", flat=True)
    ]
    assert pushed == ["请确认收款账户", "已下达拨付指令", "资金已拨付"]
    assert list(grants_for_enterprise(enterprise.pk)) == [grant]
    client.force_login(enterprise_user)
    mine = client.get(reverse("applications:mine")).content.decode()
    assert "规上工业企业稳增长奖励" in mine and "企业已确认到账" in mine
    client.force_login(official)
    detail = client.get(reverse("applications:grant_detail", args=[grant.pk])).content.decode()
    assert "企业确认到账" in detail and "下达拨付指令" in detail
    # days from eligibility (matched 2 March) to money (20 March)
    assert days_to_money(user=official)["overall"] == {"count": 1, "median": 18, "mean": 18.0, "max": 18}
    [by_district] = grant_totals(user=official, by="district")
    assert (by_district["key"], by_district["paid"]) == ("410105", Decimal("300000.00"))
    [by_month] = grant_totals(user=official, by="month")
    assert by_month["label"] == "2026-03"
    figures = client.get(reverse("applications:figures")).content.decode()
    assert "18" in figures and "从符合条件到资金到账" in figures


def test_a_forged_or_tampered_link_confirms_nothing(client, auto_policy, enterprise, official):
    match_create(policy=auto_policy, enterprise=enterprise)
    services.grant_proposals_generate(policy_id=auto_policy.pk, period="2026")
    services.grant_batch_confirm(policy=auto_policy, period="2026", actor=official)
    grant = Grant.objects.get()
    token = services.grant_token_make(grant)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.post(reverse("applications:grant_confirm", args=[forged])).status_code == 404
    grant.refresh_from_db()
    assert grant.status == GrantStatus.AWAITING_ACCOUNT


def test_only_the_policys_department_confirms_a_batch(auto_policy, enterprise, other_official):
    from django.core.exceptions import PermissionDenied

    match_create(policy=auto_policy, enterprise=enterprise)
    services.grant_proposals_generate(policy_id=auto_policy.pk, period="2026")
    with pytest.raises(PermissionDenied):
        services.grant_batch_confirm(policy=auto_policy, period="2026", actor=other_official)
    assert not Grant.objects.exists()


def test_a_failed_payment_can_be_retried_after_the_account_is_corrected(
    auto_policy, enterprise, enterprise_user, official, settings
):
    settings.AUTOGRANT_NOTICE_WORKDAYS = 0  # the notice is tested in test_notice.py
    match_create(policy=auto_policy, enterprise=enterprise)
    services.grant_proposals_generate(policy_id=auto_policy.pk, period="2026", now=at(2026, 3, 3))
    services.grant_batch_confirm(policy=auto_policy, period="2026", actor=official, now=at(2026, 3, 5))
    grant = Grant.objects.get()
    BankAccountFactory(enterprise=enterprise)
    services.grant_account_confirm(grant=grant, actor=enterprise_user, now=at(2026, 3, 6))
    [first] = services.payment_instructions_create(grant_ids=[grant.pk], actor=official, now=at(2026, 3, 10))
    services.payment_results_import(
        content=results_csv([[first.reference, "失败", "", "户名与账号不符", ""]]),
        filename="r.csv",
        actor=official,
        now=at(2026, 3, 12),
    )
    grant.refresh_from_db()
    assert grant.status == GrantStatus.FAILED
    with pytest.raises(ValidationError):
        services.payment_instructions_create(grant_ids=[grant.pk], actor=official, now=at(2026, 3, 12))
    services.grant_account_confirm(
        grant=grant,
        actor=enterprise_user,
        now=at(2026, 3, 13),
        account={
            "account_name": enterprise.name,
            "bank_name": "郑州银行",
            "account_number": "6229 1234 5678 9012",
        },
    )
    [second] = services.payment_instructions_create(grant_ids=[grant.pk], actor=official, now=at(2026, 3, 14))
    assert second.account_number == "6229123456789012"
    assert grant.payments.count() == 2
