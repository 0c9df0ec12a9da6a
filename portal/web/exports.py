"""Spreadsheet exports of the enterprise pages: 我的政策 (the enterprise's matches with the
verdict, the amount and the deadline) and the public policy search (the list with its filters).

xlsx through openpyxl, CSV with a UTF-8 byte-order mark so that Excel opens the Chinese text
correctly. Headers are the page's words (Chinese by default, the reader's language otherwise);
amounts are the exact figure in yuan (a number in the workbook, "#,##0.00"), never 万元."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.links import absolute_url

FORMATS = ("xlsx", "csv")
SEARCH_EXPORT_LIMIT = 5000  # the whole library is about 2,000 policies
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def table_bytes(*, headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, sheet: str) -> bytes:
    """The table as an xlsx workbook or a CSV file (UTF-8 with BOM, CRLF)."""
    rows = [[_cell(v) for v in row] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([[f"{v:.2f}" if isinstance(v, Decimal) else v for v in row] for row in rows])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, Decimal | float):
                cell.number_format = "#,##0.00"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(
            10, min(48, len(header) * 2 + 4)
        )
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_response(*, data: bytes, fmt: str, name: str) -> HttpResponse:
    """An attachment named ``<name>-<today>.<fmt>`` (Shanghai's date)."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


def _status_label(status: str) -> str:
    return {"eligible": _("符合条件"), "possible": _("可能符合")}.get(status, status)


def my_policies_table(overview: dict) -> tuple[list[str], list[list[Any]]]:
    """The enterprise's eligible and possible policies (``selectors.my_policies_overview``),
    in the page's order: verdict, amount (exact, yuan) and whether it is certain, deadline."""
    headers = [
        _("政策名称"),
        _("匹配结果"),
        _("金额（元）"),
        _("金额性质"),
        _("计入确定可享"),
        _("申报截止"),
        _("剩余天数"),
        _("发文部门"),
        _("需补充的数据"),
        _("政策链接"),
    ]
    rows = []
    for item in list(overview["eligible"]) + list(overview["possible"]):
        rows.append(
            [
                item.policy.title,
                _status_label(item.status),
                item.amount,
                item.kind_label or "",
                _("是")
                if item.status == "eligible" and item.certain and item.counted and not item.closed
                else _("否"),
                item.policy.apply_end or _("长期"),
                item.days_left if item.days_left is not None and item.days_left >= 0 else "",
                item.policy.department,
                "、".join(str(m) for m in item.missing),
                absolute_url("web:policy_detail", item.policy.id),
            ]
        )
    return headers, rows


def policy_search_table(
    policies: Iterable[Any], *, today: datetime.date
) -> tuple[list[str], list[list[Any]]]:
    """Search results (``policies.selectors.policy_search``), one row per policy."""
    headers = [
        _("政策名称"),
        _("文号"),
        _("发文部门"),
        _("政策层级"),
        _("支持方式"),
        _("免申即享"),
        _("申报开始"),
        _("申报截止"),
        _("正在申报"),
        _("发布日期"),
        _("政策链接"),
    ]
    rows = []
    for p in policies:
        rows.append(
            [
                p.title,
                p.doc_number,
                p.department.name,
                p.get_level_display(),
                p.get_benefit_type_display(),
                _("是") if p.auto_grant else _("否"),
                p.apply_start or "",
                p.apply_end or _("长期"),
                _("是") if p.is_open(today) else _("否"),
                timezone.localtime(p.published_at).date() if p.published_at else "",
                absolute_url("web:policy_detail", p.pk),
            ]
        )
    return headers, rows
