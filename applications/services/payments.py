"""兑付: payment instructions, the finance bureau's exports and the import of results.

Bank-batch CSV (what the finance bureau's bank accepts; documented in docs/applications.md):
UTF-8 with BOM, comma-separated, CRLF line ends, one header row, columns
``批次号,序号,指令编号,收款户名,收款账号,收款开户行,金额,币种,用途,统一社会信用代码``;
amounts in yuan with two decimals and no thousands separator.

Results file (CSV in the same encoding, or XLSX, first sheet): header
``指令编号,结果,到账日期,失败原因,银行流水号``; 结果 is 成功/失败 (or paid/failed);
到账日期 ISO 8601, required for 成功; 失败原因 required for 失败. The import is
all-or-nothing: any row error and nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from portal.audittrail.context import entries_bulk_create
from portal.web.templatetags.web_tags import money_text

from ..access import user_department_ids, user_is_official_of
from ..models import Grant, GrantStatus, PaymentInstruction, PaymentStatus
from ..notify import enterprise_message_create
from .common import local_date, make_reference, now_or
from .grants import grant_event
from .notice import payment_blocks

BANK_CSV_HEADER = [
    "批次号",
    "序号",
    "指令编号",
    "收款户名",
    "收款账号",
    "收款开户行",
    "金额",
    "币种",
    "用途",
    "统一社会信用代码",
]
RESULT_HEADER = ["指令编号", "结果", "到账日期", "失败原因", "银行流水号"]
_PAID = {"成功", "paid", "success", "ok"}
_FAILED = {"失败", "failed", "fail"}


def _grant_advance(
    grant: Grant,
    *,
    status: str,
    action: str,
    actor,
    comment: str,
    at: datetime,
    title: str,
    body: str,
    url: str,
    key: str,
) -> None:
    """A payment step of a grant: its new status, the ledger event and the enterprise's message."""
    grant.status = status
    grant.save(update_fields=["status", "paid_on"])
    grant_event(grant, action=action, actor=actor, comment=comment, at=at)
    enterprise_message_create(
        enterprise_id=grant.enterprise_id,
        key=f"grant:{grant.pk}:{action}:{key}",
        title=title,
        body=body,
        url=url,
        kind="grant",
    )


@transaction.atomic
def payment_instructions_create(
    *, grant_ids: list[int], actor, now: datetime | None = None
) -> list[PaymentInstruction]:
    """Issue one instruction per grant whose account is confirmed (ready, or failed and
    re-confirmed). Grants in another state are refused with their reason; nothing is written."""
    moment = now_or(now)
    grants = list(
        Grant.objects.select_for_update(of=("self",))
        .filter(pk__in=grant_ids)
        .select_related("policy", "enterprise")
        .order_by("id")
    )
    errors: dict[str, list[str]] = {}
    found = {g.pk for g in grants}
    for missing in sorted(set(grant_ids) - found):
        errors.setdefault(f"grant_{missing}", []).append(_("记录不存在"))
    for grant in grants:
        if not user_is_official_of(actor, grant.department_id):
            raise PermissionDenied(_("只能为本部门的政策下达拨付指令"))
        if grant.status != GrantStatus.READY:
            errors.setdefault(f"grant_{grant.pk}", []).append(
                _("状态“%(status)s”不能下达拨付指令") % {"status": grant.get_status_display()}
            )
    # 信息公示 and 异议处置 first: not while the batch is on notice or an objection is open
    names = {g.pk: g.enterprise.name for g in grants}
    for grant_id, reason in payment_blocks(grants, today=local_date(moment)).items():
        errors.setdefault(f"grant_{grant_id}", []).append(f"{names[grant_id]}：{reason}")
    if errors:
        raise ValidationError(errors)
    created = []
    for grant in grants:
        account = grant.account_snapshot
        instruction = PaymentInstruction.objects.create(
            reference=make_reference("ZF", moment),
            grant=grant,
            amount=grant.amount,
            account_name=account["account_name"],
            bank_name=account["bank_name"],
            account_number=account["account_number"],
            created_by=actor,
            created_at=moment,
        )
        _grant_advance(
            grant,
            status=GrantStatus.INSTRUCTED,
            action="instructed",
            actor=actor,
            comment=_("拨付指令 %(reference)s") % {"reference": instruction.reference},
            at=moment,
            title=_("已下达拨付指令：%(policy)s") % {"policy": grant.policy.title},
            body=_("%(amount)s将拨付至 %(bank)s 尾号 %(last4)s 的账户。")
            % {
                "amount": money_text(grant.amount),
                "bank": instruction.bank_name,
                "last4": instruction.account_number[-4:],
            },
            url=reverse("applications:grant_detail", args=[grant.pk]),
            key=instruction.reference,
        )
        created.append(instruction)
    return created


def instructions_for_export(*, user, only_new: bool = False):
    qs = PaymentInstruction.objects.filter(status=PaymentStatus.INSTRUCTED).select_related(
        "grant__policy", "grant__enterprise", "grant__department"
    )
    departments = user_department_ids(user)
    if departments is not None:
        qs = qs.filter(grant__department_id__in=departments)
    if only_new:
        qs = qs.filter(exported_at__isnull=True)
    return qs.order_by("id")


def _rows(instructions) -> list[list[str]]:
    batch = ""
    rows = []
    for index, ins in enumerate(instructions, start=1):
        batch = batch or f"PB{ins.created_at:%Y%m%d}"
        rows.append(
            [
                batch,
                str(index),
                ins.reference,
                ins.account_name,
                ins.account_number,
                ins.bank_name,
                f"{ins.amount:.2f}",
                "CNY",
                f"惠企政策兑现-{ins.grant.policy.title}"[:60],
                ins.grant.enterprise.credit_code,
            ]
        )
    return rows


@transaction.atomic
def payment_instructions_export(*, instructions, fmt: str, now: datetime | None = None) -> bytes:
    """The bank batch (``csv``) or the finance bureau's workbook (``xlsx``); marks them exported."""
    moment = now_or(now)
    instructions = list(instructions)
    rows = _rows(instructions)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(BANK_CSV_HEADER)
        writer.writerows(rows)
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    elif fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "拨付指令"
        ws.append(BANK_CSV_HEADER + ["政策", "主管部门"])
        for ins, row in zip(instructions, rows, strict=True):
            row = list(row)
            row[6] = Decimal(row[6])
            ws.append(row + [ins.grant.policy.title, ins.grant.department.name])
        for cell in ws["G"][1:]:
            cell.number_format = "#,##0.00"
        total_row = len(rows) + 2
        ws.cell(row=total_row, column=6, value="合计")
        ws.cell(row=total_row, column=7, value=sum((i.amount for i in instructions), Decimal("0")))
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
    else:
        raise ValidationError({"format": [_("导出格式应为 csv 或 xlsx")]})
    stamped = [i for i in instructions if i.exported_at is None]
    PaymentInstruction.objects.filter(pk__in=[i.pk for i in stamped], exported_at__isnull=True).update(
        exported_at=moment
    )
    # the stamp is the official's write: one audit entry per instruction (the update skips signals)
    entries_bulk_create(
        PaymentInstruction,
        [(i.pk, str(i), LogEntry.Action.UPDATE, {"exported_at": ["None", str(moment)]}) for i in stamped],
        extra={"event": "payment_export", "format": fmt},
    )
    return data


@dataclass
class ImportResult:
    ok: bool
    errors: list[dict] = field(default_factory=list)
    paid: int = 0
    failed: int = 0


def _read_rows(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is a user error
            raise ValidationError({"file": [_("无法读取 Excel 文件")]}) from exc
        rows = []
        for row in wb.worksheets[0].iter_rows(values_only=True):
            rows.append(
                [
                    "" if v is None else (v.date().isoformat() if isinstance(v, datetime) else str(v))
                    for v in row
                ]
            )
        return rows
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": [_("文件编码应为 UTF-8 或 GB18030")]}) from exc
    return [row for row in csv.reader(io.StringIO(text))]


@transaction.atomic
def payment_results_import(
    *, content: bytes, filename: str, actor, now: datetime | None = None
) -> ImportResult:
    """Record paid / failed from the bank's results file. All-or-nothing: if any row has an
    error, the result lists every error (row number as in the file, field, message) and
    nothing changes."""
    moment = now_or(now)
    rows = _read_rows(content, filename)
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        return ImportResult(ok=False, errors=[{"row": 1, "field": "file", "message": _("文件为空")}])
    header = [str(c).strip() for c in rows[0]]
    missing = [h for h in RESULT_HEADER[:3] if h not in header]
    if missing:
        return ImportResult(
            ok=False, errors=[{"row": 1, "field": h, "message": _("缺少此列")} for h in missing]
        )
    col = {h: header.index(h) for h in RESULT_HEADER if h in header}

    def cell(row, name):
        i = col.get(name)
        return str(row[i]).strip() if i is not None and i < len(row) else ""

    errors: list[dict] = []

    def refuse(number: int, field: str, message: str) -> None:
        errors.append({"row": number, "field": field, "message": message})

    parsed = []
    seen: set[str] = set()
    refs = [cell(r, "指令编号") for r in rows[1:]]
    instructions = {
        i.reference: i
        for i in PaymentInstruction.objects.select_for_update()
        .filter(reference__in=refs)
        .select_related("grant__policy")
    }
    departments = user_department_ids(actor)
    for number, row in enumerate(rows[1:], start=2):
        ref = cell(row, "指令编号")
        result = cell(row, "结果").lower()
        ins = instructions.get(ref)
        if not ref:
            refuse(number, "指令编号", _("不能为空"))
            continue
        if ref in seen:
            refuse(number, "指令编号", _("重复的指令编号"))
            continue
        seen.add(ref)
        if ins is None or (departments is not None and ins.grant.department_id not in departments):
            refuse(number, "指令编号", _("找不到拨付指令 %(reference)s") % {"reference": ref})
            continue
        if ins.status != PaymentStatus.INSTRUCTED:
            refuse(
                number, "指令编号", _("该指令已登记结果(%(status)s)") % {"status": ins.get_status_display()}
            )
            continue
        if result in _PAID:
            raw_date = cell(row, "到账日期")
            try:
                paid_on = date.fromisoformat(raw_date[:10])
            except ValueError:
                refuse(number, "到账日期", _("应为 YYYY-MM-DD 格式的日期"))
                continue
            if paid_on > local_date(moment) or paid_on < local_date(ins.created_at):
                refuse(number, "到账日期", _("到账日期应在指令下达日与今天之间"))
                continue
            parsed.append((ins, PaymentStatus.PAID, paid_on, "", cell(row, "银行流水号")))
        elif result in _FAILED:
            reason = cell(row, "失败原因")
            if not reason:
                refuse(number, "失败原因", _("失败的记录须填写失败原因"))
                continue
            parsed.append((ins, PaymentStatus.FAILED, None, reason[:200], cell(row, "银行流水号")))
        else:
            refuse(number, "结果", _("应为“成功”或“失败”"))
    if errors:
        return ImportResult(ok=False, errors=errors)
    result = ImportResult(ok=True)
    for ins, status, paid_on, reason, bank_ref in parsed:
        ins.status = status
        ins.paid_on = paid_on
        ins.failure_reason = reason
        ins.bank_reference = bank_ref[:60]
        ins.settled_at = moment
        ins.save(update_fields=["status", "paid_on", "failure_reason", "bank_reference", "settled_at"])
        grant = ins.grant
        if status == PaymentStatus.PAID:
            grant.paid_on = paid_on
            result.paid += 1
            comment = _("%(reference)s 到账 %(date)s") % {"reference": ins.reference, "date": paid_on}
            title = _("资金已拨付：%(policy)s") % {"policy": grant.policy.title}
            body = _("%(amount)s已于 %(date)s 拨付，请确认到账。") % {
                "amount": money_text(grant.amount),
                "date": paid_on.isoformat(),
            }
        else:
            result.failed += 1
            comment = _("%(reference)s 失败：%(reason)s") % {"reference": ins.reference, "reason": reason}
            title = _("拨付未成功：%(policy)s") % {"policy": grant.policy.title}
            body = _("原因：%(reason)s。请核对并重新确认收款账户。") % {"reason": reason}
        _grant_advance(
            grant,
            status=GrantStatus.PAID if status == PaymentStatus.PAID else GrantStatus.FAILED,
            action="paid" if status == PaymentStatus.PAID else "failed",
            actor=actor,
            comment=comment,
            at=moment,
            title=title,
            body=body,
            url=reverse("applications:my_grants"),
            key=str(ins.pk),
        )
    return result


def payment_results_preview(*, content: bytes, filename: str) -> list[dict]:
    """The rows of a results file as the confirm step shows them (instruction, enterprise,
    amount, result, date or reason); call after a trial ``payment_results_import`` passed."""
    rows = [r for r in _read_rows(content, filename) if any(str(c).strip() for c in r)]
    header = [str(c).strip() for c in rows[0]]
    col = {h: header.index(h) for h in RESULT_HEADER if h in header}

    def cell(row, name):
        i = col.get(name)
        return str(row[i]).strip() if i is not None and i < len(row) else ""

    instructions = {
        i.reference: i
        for i in PaymentInstruction.objects.filter(
            reference__in=[cell(r, "指令编号") for r in rows[1:]]
        ).select_related("grant__enterprise", "grant__policy")
    }
    preview = []
    for row in rows[1:]:
        ins = instructions.get(cell(row, "指令编号"))
        paid = cell(row, "结果").lower() in _PAID
        preview.append(
            {
                "reference": cell(row, "指令编号"),
                "enterprise": ins.grant.enterprise.name if ins else "",
                "policy": ins.grant.policy.title if ins else "",
                "amount": ins.amount if ins else None,
                "paid": paid,
                "detail": cell(row, "到账日期")[:10] if paid else cell(row, "失败原因"),
            }
        )
    return preview
