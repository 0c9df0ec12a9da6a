"""The finance bureau's files: the bank-batch CSV, the xlsx workbook, and the all-or-nothing
import of payment results."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from applications import services
from applications.models import Grant, GrantStatus, PaymentInstruction
from tests.factories.applications import BankAccountFactory, GrantFactory
from tests.factories.enterprises import EnterpriseFactory

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructions(department, official):
    out = []
    for i, amount in enumerate(["300000", "1234.5"]):
        enterprise = EnterpriseFactory(name=f"兑付测试{i}有限公司")
        BankAccountFactory(enterprise=enterprise, account_number=f"62220000000000{i:04d}")
        grant = GrantFactory(
            policy__department=department,
            department=department,
            enterprise=enterprise,
            amount=Decimal(amount),
            policy__title=f"奖励政策{i}",
        )
        services.grant_account_confirm(grant=grant, actor=None, via_token=True, now=at(2026, 3, 6))
        out.append(grant)
    return services.payment_instructions_create(
        grant_ids=[g.pk for g in out], actor=official, now=at(2026, 3, 10)
    )


def test_the_bank_batch_csv_has_the_documented_layout(instructions):
    data = services.payment_instructions_export(instructions=instructions, fmt="csv", now=at(2026, 3, 10))
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "批次号,序号,指令编号,收款户名,收款账号,收款开户行,金额,币种,用途,统一社会信用代码"
    first = lines[1].split(",")
    assert first[0].startswith("PB2026") and first[1] == "1" and first[2] == instructions[0].reference
    assert first[3] == "兑付测试0有限公司" and first[4] == "622200000000000000"
    assert first[6] == "300000.00" and first[7] == "CNY"
    assert lines[2].split(",")[6] == "1234.50"
    assert lines[3] == ""  # the file ends with CRLF
    assert all(i.exported_at for i in PaymentInstruction.objects.all())


def test_the_xlsx_workbook_has_amounts_as_numbers_and_a_total(instructions):
    data = services.payment_instructions_export(instructions=instructions, fmt="xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("批次号", "序号", "指令编号") and rows[0][-2:] == ("政策", "主管部门")
    assert rows[1][6] == 300000 and rows[2][6] == 1234.5
    assert rows[3][5] == "合计" and rows[3][6] == 301234.5


def _csv(rows: list[list[str]]) -> bytes:
    return ("指令编号,结果,到账日期,失败原因,银行流水号\r\n" + "\r\n".join(",".join(r) for r in rows)).encode(
        "utf-8"
    )


def test_an_import_with_any_bad_row_changes_nothing_and_names_every_error(instructions, official):
    ok, other = instructions
    content = _csv(
        [
            [ok.reference, "成功", "2026-03-20", "", "B1"],
            [other.reference, "成功", "20/03/2026", "", ""],
            ["ZF000", "成功", "2026-03-20", "", ""],
            [ok.reference, "成功", "2026-03-20", "", ""],
            ["", "成功", "2026-03-20", "", ""],
        ]
    )
    result = services.payment_results_import(
        content=content, filename="r.csv", actor=official, now=at(2026, 3, 21)
    )
    assert not result.ok
    assert [(e["row"], e["field"]) for e in result.errors] == [
        (3, "到账日期"),
        (4, "指令编号"),
        (5, "指令编号"),
        (6, "指令编号"),
    ]
    assert set(Grant.objects.values_list("status", flat=True)) == {GrantStatus.INSTRUCTED}
    assert set(PaymentInstruction.objects.values_list("status", flat=True)) == {"instructed"}


def test_a_failure_without_a_reason_or_an_unknown_result_is_refused(instructions, official):
    ok, other = instructions
    content = _csv([[ok.reference, "失败", "", "", ""], [other.reference, "退回", "", "", ""]])
    result = services.payment_results_import(
        content=content, filename="r.csv", actor=official, now=at(2026, 3, 21)
    )
    assert [(e["row"], e["field"]) for e in result.errors] == [(2, "失败原因"), (3, "结果")]
    assert not PaymentInstruction.objects.exclude(status="instructed").exists()


def test_an_xlsx_import_records_paid_and_failed(instructions, official):
    ok, other = instructions
    wb = Workbook()
    ws = wb.active
    ws.append(["指令编号", "结果", "到账日期", "失败原因", "银行流水号"])
    ws.append([ok.reference, "成功", "2026-03-20", None, "B1"])
    ws.append([other.reference, "失败", None, "账户已销户", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = services.payment_results_import(
        content=buffer.getvalue(), filename="r.xlsx", actor=official, now=at(2026, 3, 21)
    )
    assert (result.ok, result.paid, result.failed) == (True, 1, 1)
    assert Grant.objects.get(pk=ok.grant_id).status == GrantStatus.PAID
    failed = PaymentInstruction.objects.get(pk=other.pk)
    assert (failed.status, failed.failure_reason) == ("failed", "账户已销户")
    # a second import of the same file is refused: those results are recorded already
    again = services.payment_results_import(
        content=buffer.getvalue(), filename="r.xlsx", actor=official, now=at(2026, 3, 22)
    )
    assert not again.ok and "已登记结果" in again.errors[0]["message"]


def test_another_departments_official_cannot_settle_these_instructions(instructions, other_official):
    content = _csv([[instructions[0].reference, "成功", "2026-03-20", "", ""]])
    result = services.payment_results_import(
        content=content, filename="r.csv", actor=other_official, now=at(2026, 3, 21)
    )
    assert not result.ok and "找不到" in result.errors[0]["message"]


def test_the_export_and_import_pages_work_for_officials(client, instructions, official):
    client.force_login(official)
    response = client.get("/applications/payments/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert instructions[0].reference in response.content.decode("utf-8-sig")
    assert client.get("/applications/payments/export.pdf").status_code == 400


def test_an_officials_export_stamps_each_instruction_in_the_audit_trail(client, instructions, official):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    client.force_login(official)
    # when the official downloads the bank batch
    assert client.get("/applications/payments/export.csv").status_code == 200
    # then each instruction's export stamp is an entry naming the official, the field and the event
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(PaymentInstruction))
    stamped = entries.filter(additional_data__event="payment_export")
    assert sorted(int(e.object_pk) for e in stamped) == sorted(i.pk for i in instructions)
    assert {e.actor_id for e in stamped} == {official.pk}
    assert all(set(e.changes_dict) == {"exported_at"} for e in stamped)
    # and a second download stamps nothing new, so it writes no entry
    assert client.get("/applications/payments/export.csv").status_code == 200
    assert entries.filter(additional_data__event="payment_export").count() == len(instructions)
