"""免申即享 信息公示, 异议处置 and 纠错救济: the list is public before payment, payment waits for
the notice period and for every objection to be decided, anyone may object, an enterprise left
out reports 应享未享 with evidence, the enterprise confirms receipt and the amount."""

import random
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import (
    Grant,
    GrantBatch,
    GrantObjection,
    GrantStatus,
    ObjectionKind,
    ObjectionStatus,
)
from applications.selectors import autogrant_figures
from inbox.models import Message
from tests.factories.applications import BankAccountFactory, match_create
from tests.factories.enterprises import EnterpriseFactory, IndicatorValueFactory
from tests.factories.policies import PolicyFactory

from .conftest import at, pdf
from .test_autogrant import results_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _notice(settings):
    settings.AUTOGRANT_NOTICE_WORKDAYS = 5
    settings.OBJECTIONS_PER_IP_PER_HOUR = 1000


@pytest.fixture
def auto_policy(department):
    return PolicyFactory(
        title="规上工业企业稳增长奖励",
        department=department,
        status="published",
        auto_grant=True,
        award={"amount": "min(0.01 * revenue, 500000)"},
    )


@pytest.fixture
def second(db):
    ent = EnterpriseFactory(
        name="郑州精工机械有限公司",
        credit_code="91410100MA44ABCD7X",
        contact_name="赵会计",
        contact_phone="13987654321",
    )
    IndicatorValueFactory(enterprise=ent, period="2024", value=Decimal("20000000"))
    return ent


def _batch(auto_policy, enterprise, second, official, *, now=None) -> GrantBatch:
    for ent in (enterprise, second):
        match_create(policy=auto_policy, enterprise=ent)
        BankAccountFactory(enterprise=ent, account_number=f"17020000{ent.pk:011d}")
    services.grant_proposals_generate(policy_id=auto_policy.pk, period="2026", now=now or at(2026, 3, 4))
    batch = services.grant_batch_confirm(
        policy=auto_policy, period="2026", actor=official, now=now or at(2026, 3, 5), sms=False
    )
    for grant in Grant.objects.filter(proposal__batch=batch):
        services.grant_account_confirm(grant=grant, via_token=True, now=now or at(2026, 3, 6))
    return batch


def _ip() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def test_payment_waits_for_the_notice_period_in_working_days(auto_policy, enterprise, second, official):
    batch = _batch(auto_policy, enterprise, second, official)
    # confirmed Thursday 2026-03-05: five working days are 6, 9, 10, 11, 12 March
    assert (batch.notice_workdays, batch.notice_until.isoformat()) == (5, "2026-03-12")
    ids = list(Grant.objects.filter(proposal__batch=batch).values_list("pk", flat=True))
    with pytest.raises(ValidationError) as refused:
        services.payment_instructions_create(grant_ids=ids, actor=official, now=at(2026, 3, 12, 17))
    assert "公示期至 2026-03-12" in str(refused.value)
    assert not Grant.objects.filter(status=GrantStatus.INSTRUCTED).exists()
    created = services.payment_instructions_create(grant_ids=ids, actor=official, now=at(2026, 3, 13))
    assert len(created) == 2


def test_an_open_objection_blocks_payment_until_it_is_decided(auto_policy, enterprise, second, official):
    batch = _batch(auto_policy, enterprise, second, official)
    grant = Grant.objects.get(enterprise=second)
    objection = services.objection_file(
        batch=batch,
        grant_id=grant.pk,
        reason="该企业2024年已迁出本市，不应享受本市奖励",
        contact="13700001111",
        client_ip=_ip(),
        now=at(2026, 3, 9),
    )
    other = Grant.objects.get(enterprise=enterprise)
    blocks = services.payment_blocks([grant, other], today=at(2026, 3, 13).date())
    assert set(blocks) == {grant.pk, other.pk}
    assert "异议" in blocks[grant.pk]
    with pytest.raises(ValidationError):
        services.payment_instructions_create(grant_ids=[other.pk], actor=official, now=at(2026, 3, 13))

    # upheld: the grant is withdrawn, the public list says so, payment of the rest goes ahead
    services.objection_resolve(
        objection=objection,
        actor=official,
        upheld=True,
        decision="经核实该企业已迁出，撤销",
        now=at(2026, 3, 13),
    )
    grant.refresh_from_db()
    assert grant.status == GrantStatus.CANCELLED and "迁出" in grant.cancelled_reason
    assert services.payment_blocks([other], today=at(2026, 3, 13).date()) == {}
    assert (
        len(services.payment_instructions_create(grant_ids=[other.pk], actor=official, now=at(2026, 3, 13)))
        == 1
    )
    [withdrawn] = [e for e in services.notice.public_entries(batch) if e["id"] == grant.pk]
    assert withdrawn["withdrawn"] is True
    # the decision is an official's write in the audit trail, naming the official
    entry = LogEntry.objects.get_for_object(objection).order_by("-timestamp").first()
    assert entry.actor == official and "upheld" in str(entry.changes)


def test_an_objection_can_adjust_the_amount_or_be_rejected(
    auto_policy, enterprise, second, official, other_official
):
    batch = _batch(auto_policy, enterprise, second, official)
    grant = Grant.objects.get(enterprise=enterprise)
    first = services.objection_file(
        batch=batch,
        grant_id=grant.pk,
        reason="营业收入统计口径有误，金额偏高",
        client_ip=_ip(),
        now=at(2026, 3, 9),
    )
    with pytest.raises(PermissionDenied):
        services.objection_resolve(
            objection=first, actor=other_official, upheld=False, decision="不是本部门的"
        )
    with pytest.raises(ValidationError) as refused:
        services.objection_resolve(objection=first, actor=official, upheld=True, decision="")
    assert "decision" in refused.value.message_dict
    services.objection_resolve(
        objection=first,
        actor=official,
        upheld=True,
        decision="按核实口径调整",
        amount="250000",
        now=at(2026, 3, 10),
    )
    grant.refresh_from_db()
    assert grant.amount == Decimal("250000.00") and grant.status == GrantStatus.READY
    second_objection = services.objection_file(
        batch=batch,
        grant_id=grant.pk,
        reason="我认为这家企业不应享受此项奖励",
        client_ip=_ip(),
        now=at(2026, 3, 11),
    )
    services.objection_resolve(
        objection=second_objection,
        actor=official,
        upheld=False,
        decision="经核实符合条件",
        now=at(2026, 3, 11),
    )
    second_objection.refresh_from_db()
    assert second_objection.status == ObjectionStatus.REJECTED
    with pytest.raises(ValidationError):  # decided once
        services.objection_resolve(
            objection=second_objection, actor=official, upheld=True, decision="再改一次"
        )


def test_the_public_list_shows_names_and_amounts_and_nothing_private(
    client, auto_policy, enterprise, second, official
):
    batch = _batch(auto_policy, enterprise, second, official, now=None)
    batch.notice_until = at(2099, 1, 1).date()  # on notice today
    batch.save(update_fields=["notice_until"])
    services.objection_file(
        batch=batch,
        grant_id=Grant.objects.get(enterprise=second).pk,
        reason="请核实该企业的营业收入数据来源",
        contact="objector@example.com",
        client_ip=_ip(),
    )
    for url in (reverse("applications:notice_list"), reverse("applications:notice_batch", args=[batch.pk])):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert auto_policy.title in html
        for private in (
            second.credit_code,
            second.credit_code[-6:],
            enterprise.credit_code,
            second.contact_phone,
            second.contact_name,
            enterprise.contact_phone,
            "objector@example.com",
            "17020000",
        ):
            assert private not in html, private
    html = client.get(reverse("applications:notice_batch", args=[batch.pk])).content.decode()
    assert second.name in html and enterprise.name in html
    assert 'value="200000.00"' in html  # the one money format: 20万元 with the exact figure


def test_bad_objections_are_refused_field_by_field(
    client, auto_policy, enterprise, second, official, settings
):
    batch = _batch(auto_policy, enterprise, second, official, now=None)
    batch.notice_until = at(2099, 1, 1).date()
    batch.save(update_fields=["notice_until"])
    url = reverse("applications:notice_batch", args=[batch.pk])
    ip = _ip()
    page = client.post(url, {"grant": "", "reason": "太短", "contact": "not a phone"}, REMOTE_ADDR=ip)
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="err-grant"' in html and "请从公示名单中选择异议对象" in html
    assert 'id="err-reason"' in html and "至少 10 个字" in html
    assert 'id="err-contact"' in html and "手机号" in html
    assert not GrantObjection.objects.exists()
    # an entry of another batch is not this list's
    page = client.post(url, {"grant": "999999", "reason": "这家企业不符合条件请核实"}, REMOTE_ADDR=ip)
    assert page.status_code == 400 and "请从公示名单中选择异议对象" in page.content.decode()
    # too many from one address
    settings.OBJECTIONS_PER_IP_PER_HOUR = 1
    grant = Grant.objects.get(enterprise=second)
    good = {"grant": grant.pk, "reason": "这家企业去年已经停产，请核实"}
    assert client.post(url, good, REMOTE_ADDR=ip).status_code == 302
    page = client.post(url, good, REMOTE_ADDR=ip)
    assert page.status_code == 400 and "提交过于频繁" in page.content.decode()
    assert GrantObjection.objects.count() == 1
    # after the notice: refused
    batch.notice_until = at(2020, 1, 1).date()
    batch.save(update_fields=["notice_until"])
    with pytest.raises(ValidationError) as refused:
        services.objection_file(
            batch=batch, grant_id=grant.pk, reason="公示期后提出的异议理由", client_ip=_ip()
        )
    assert "公示期已结束" in str(refused.value)


def test_the_objector_sees_the_decision_through_the_link(client, auto_policy, enterprise, second, official):
    batch = _batch(auto_policy, enterprise, second, official, now=None)
    batch.notice_until = at(2099, 1, 1).date()
    batch.save(update_fields=["notice_until"])
    grant = Grant.objects.get(enterprise=second)
    page = client.post(
        reverse("applications:notice_batch", args=[batch.pk]),
        {"grant": grant.pk, "reason": "该企业已被列入严重失信名单", "contact": ""},
        REMOTE_ADDR=_ip(),
    )
    objection = GrantObjection.objects.get()
    assert page["Location"] == reverse(
        "applications:objection_status", args=[objection.reference, objection.access_key]
    )
    assert (
        client.get(reverse("applications:objection_status", args=[objection.reference, "wrong"])).status_code
        == 404
    )
    services.objection_resolve(
        objection=objection, actor=official, upheld=False, decision="经查询信用中国，未列入"
    )
    html = client.get(page["Location"]).content.decode()
    assert "经查询信用中国，未列入" in html and "不成立" in html


def test_missed_report_with_evidence_and_its_resolution(
    client, auto_policy, enterprise, enterprise_user, second, official
):
    match_create(policy=auto_policy, enterprise=second)
    services.grant_proposals_generate(policy_id=auto_policy.pk, period="2026", now=at(2026, 3, 4))
    services.grant_batch_confirm(
        policy=auto_policy, period="2026", actor=official, now=at(2026, 3, 5), sms=False
    )
    client.force_login(enterprise_user)
    url = reverse("applications:missed_report")
    form = {
        "policy": auto_policy.pk,
        "period": "2026",
        "reason": "我司2024年营业收入3000万元，符合条件但未列入名单",
    }
    # no evidence, a file that is not what it says, a bad period, a bad amount: refused per field
    page = client.post(url, {**form, "period": "26", "expected_amount": "abc"})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="err-files"' in html and "请上传至少一份证明材料" in html
    assert 'id="err-period"' in html and 'id="err-expected_amount"' in html
    fake = SimpleUploadedFile("审计报告.pdf", b"not a pdf at all", content_type="application/pdf")
    page = client.post(url, {**form, "files": fake})
    assert page.status_code == 400 and "文件内容与扩展名" in page.content.decode()
    assert not GrantObjection.objects.exists()

    page = client.post(url, {**form, "expected_amount": "300000", "files": pdf("审计报告.pdf")})
    assert page.status_code == 302
    report = GrantObjection.objects.get()
    assert (report.kind, report.enterprise_id, report.files.count()) == (
        ObjectionKind.MISSED,
        enterprise.pk,
        1,
    )
    # a second report while the first is open is refused
    page = client.post(url, {**form, "files": pdf("审计报告.pdf")})
    assert "正在处理中" in page.content.decode()
    # the evidence is the enterprise's and the department's, nobody else's
    file_url = reverse("applications:objection_file", args=[report.files.get().pk])
    assert client.get(file_url).status_code == 200
    client.logout()
    assert client.get(file_url).status_code == 404

    # upheld: a grant for the enterprise through the usual services, awaiting its account
    with pytest.raises(ValidationError) as refused:
        services.objection_resolve(objection=report, actor=official, upheld=True, decision="核实成立")
    assert "amount" in refused.value.message_dict
    services.objection_resolve(
        objection=report, actor=official, upheld=True, decision="核实成立，补录兑现", amount="300000"
    )
    report.refresh_from_db()
    grant = report.created_grant
    assert (grant.enterprise_id, grant.amount, grant.status) == (
        enterprise.pk,
        Decimal("300000.00"),
        "awaiting_account",
    )
    titles = list(Message.objects.filter(enterprise=enterprise).values_list("title", flat=True))
    assert any("已处理" in t for t in titles) and any("确认收款账户" in t for t in titles)
    client.force_login(enterprise_user)
    html = client.get(url).content.decode()
    assert "核实成立，补录兑现" in html and "成立" in html
    # already granted now: a new report is refused
    page = client.post(url, {**form, "files": pdf("审计报告.pdf")})
    assert "已享受该政策" in page.content.decode()


def test_receipt_says_whether_the_amount_was_right(
    client, auto_policy, enterprise, enterprise_user, second, official
):
    batch = _batch(auto_policy, enterprise, second, official)
    grant = Grant.objects.get(enterprise=enterprise)
    [ins] = services.payment_instructions_create(grant_ids=[grant.pk], actor=official, now=at(2026, 3, 13))
    services.payment_results_import(
        content=results_csv([[ins.reference, "成功", "2026-03-16", "", "B1"]]),
        filename="r.csv",
        actor=official,
        now=at(2026, 3, 16),
    )
    client.force_login(enterprise_user)
    url = reverse("applications:grant_received", args=[grant.pk])
    client.post(url, {})  # no answer: refused
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PAID
    client.post(url, {"amount_ok": "no", "expected_amount": "", "reason": "短"})
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PAID and not GrantObjection.objects.exists()
    client.post(
        url, {"amount_ok": "no", "expected_amount": "350000", "reason": "按2025年营业收入计算应为35万元"}
    )
    grant.refresh_from_db()
    assert (grant.status, grant.amount_confirmed) == (GrantStatus.RECEIVED, False)
    case = GrantObjection.objects.get()
    assert (case.kind, case.grant_id, case.expected_amount) == (
        ObjectionKind.AMOUNT,
        grant.pk,
        Decimal("350000.00"),
    )
    services.objection_resolve(
        objection=case, actor=official, upheld=True, decision="差额另行拨付", amount="350000"
    )
    assert grant.events.filter(action="amount_corrected").exists()
    figures = autogrant_figures(user=official)
    assert figures["days"] == {"count": 1, "median": 11, "p90": 11}  # 5 March → 16 March
    assert {r["kind"]: (r["total"], r["upheld"]) for r in figures["objections"]}["amount"] == (1, 1)
    # two eligible enterprises, one paid
    assert figures["missed"] == {"eligible": 2, "unpaid": 1, "rate": 50.0}
    assert batch.pk
    # the dashboard shows them and its workbook carries them
    import io

    from openpyxl import load_workbook

    client.force_login(official)
    html = client.get(reverse("dashboard:index")).content.decode()
    assert 'id="autogrant-figures"' in html and "50.0%" in html
    wb = load_workbook(io.BytesIO(client.get(reverse("dashboard:export")).content))
    rows = {r[0]: r[1] for r in wb["免申即享-公示与异议"].values if r and r[0]}
    assert rows["应享未享率(%)"] == 50.0 and rows["确认至到账天数(中位数)"] == 11


def test_public_money_is_confirmed_on_a_separate_step(client, auto_policy, enterprise, second, official):
    for ent in (enterprise, second):
        match_create(policy=auto_policy, enterprise=ent)
    services.grant_proposals_generate(policy_id=auto_policy.pk, period="2026")
    client.force_login(official)
    url = reverse("applications:autogrant_policy", args=[auto_policy.pk])
    page = client.post(url, {"period": "2026"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="btn-confirm-final"' in html and "公示至" in html
    assert not GrantBatch.objects.exists()
    client.post(
        url,
        {
            "period": "2026",
            "confirmed": "1",
            "proposal": list(auto_policy.grant_proposals.values_list("pk", flat=True)),
        },
    )
    batch = GrantBatch.objects.get()
    assert batch.count == 2 and batch.notice_until is not None
    grant = Grant.objects.get(enterprise=enterprise)
    BankAccountFactory(enterprise=enterprise)
    services.grant_account_confirm(grant=grant, via_token=True)
    # the payments page shows why it waits; its confirm step offers nothing to pay
    html = client.get(reverse("applications:payments")).content.decode()
    assert "公示期至" in html
    page = client.post(reverse("applications:payments"), {"grant": [grant.pk]})
    html = page.content.decode()
    assert "暂不能拨付" in html and 'id="btn-instruct-final"' not in html
    batch.notice_until = None
    batch.save(update_fields=["notice_until"])
    page = client.post(reverse("applications:payments"), {"grant": [grant.pk]})
    assert 'id="btn-instruct-final"' in page.content.decode()
    assert not grant.payments.exists()
    client.post(reverse("applications:payments"), {"grant": [grant.pk], "confirmed": "1"})
    assert grant.payments.count() == 1


def test_marking_payments_from_the_results_file_is_confirmed_on_a_second_step(
    client, auto_policy, enterprise, second, official
):
    _batch(auto_policy, enterprise, second, official)
    grant = Grant.objects.get(enterprise=enterprise)
    [ins] = services.payment_instructions_create(grant_ids=[grant.pk], actor=official, now=at(2026, 3, 13))
    client.force_login(official)
    upload = SimpleUploadedFile(
        "results.csv", results_csv([[ins.reference, "成功", "2026-03-16", "", "B1"]]), content_type="text/csv"
    )
    page = client.post(reverse("applications:payments_import"), {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="btn-import-final"' in html and enterprise.name in html
    ins.refresh_from_db()
    grant.refresh_from_db()
    assert (ins.status, grant.status) == ("instructed", GrantStatus.INSTRUCTED)  # nothing written yet
    assert not Message.objects.filter(title__contains="资金已拨付").exists()
    client.post(reverse("applications:payments_import"), {"confirmed": "1"})
    ins.refresh_from_db()
    assert ins.status == "paid"
    assert Message.objects.filter(title__contains="资金已拨付").exists()
    # a second confirm without a checked file does nothing
    page = client.post(reverse("applications:payments_import"), {"confirmed": "1"}, follow=True)
    assert "请重新选择结果文件" in page.content.decode()


def test_the_public_list_and_its_refusals_read_in_english(client, auto_policy, enterprise, second, official):
    batch = _batch(auto_policy, enterprise, second, official, now=None)
    batch.notice_until = at(2099, 1, 1).date()
    batch.save(update_fields=["notice_until"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})  # the switch
    html = client.get(reverse("applications:notice_list")).content.decode()
    assert "public notice" in html and "On notice" in html
    page = client.post(
        reverse("applications:notice_batch", args=[batch.pk]),
        {"grant": "", "reason": "", "contact": "x"},
        REMOTE_ADDR=_ip(),
    )
    html = page.content.decode()
    assert "Please choose the entry of the published list you object to" in html
    assert "Reason for the objection" in html
    assert "Contact must be a mobile or landline number" in html
