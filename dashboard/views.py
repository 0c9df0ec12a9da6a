"""The staff dashboard (charts with Apache ECharts, vendored) and its xlsx export."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from enterprises.reference import zhengzhou_districts
from portal.accounts.decorators import official_required
from portal.accounts.selectors import user_departments

from .selectors import Filters, dashboard_figures


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request) -> Filters:
    department = request.GET.get("department") or ""
    allowed = user_departments(request.user)
    department_id = (
        int(department) if department.isdigit() and allowed.filter(pk=department).exists() else None
    )
    if department_id is not None:
        department_ids = (department_id,)
    elif request.user.is_superuser:
        department_ids = None  # an administrator's default: every department
    else:
        # An official's default: all the departments they work for, not just the first.
        department_ids = tuple(allowed.values_list("pk", flat=True))
    return Filters(
        start=_date(request.GET.get("start")),
        end=_date(request.GET.get("end")),
        district=request.GET.get("district", "") if request.GET.get("district", "").isdigit() else "",
        department_id=department_id,
        department_ids=department_ids,
    )


@official_required
def index(request):
    filters = _filters(request)
    figures = dashboard_figures(filters, user=request.user)
    return render(
        request,
        "dashboard/index.html",
        {
            "figures": figures,
            "figures_json": json.loads(json.dumps(figures, cls=DjangoJSONEncoder, default=str)),
            "filters": filters,
            "districts": sorted(zhengzhou_districts().items()),
            "departments": user_departments(request.user).order_by("code"),
            "query": request.GET.urlencode(),
        },
    )


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return value


def _write_rows(ws, rows: list[dict]) -> None:
    if not rows:
        ws.append(["—"])
        return
    headers = list(rows[0].keys())
    ws.append(headers)
    for row in rows:
        ws.append([_cell(row.get(h)) for h in headers])


@official_required
def export_xlsx(request):
    figures = dashboard_figures(_filters(request), user=request.user)
    wb = Workbook()
    ws = wb.active
    ws.title = "概览"
    ws.append(["指标", "数值"])
    for section in ("cases", "matching", "coverage"):
        for key, value in figures[section].items():
            ws.append([f"{section}.{key}", _cell(value)])
    for title, key in (
        ("诉求-部门", "cases_by_department"),
        ("诉求-区县", "cases_by_district"),
        ("诉求-类别", "cases_by_category"),
        ("政策堵点", "policy_friction"),
        ("包联覆盖", "coverage_by_district"),
    ):
        _write_rows(wb.create_sheet(title), figures[key])
    arrears = figures["arrears"]
    _write_rows(wb.create_sheet("欠款-类型"), arrears["by_debtor_type"])
    _write_rows(wb.create_sheet("欠款-账龄"), arrears["by_age"])
    apps = figures["applications"]
    _write_rows(wb.create_sheet("申报-部门"), apps["by_department"])
    _write_rows(
        wb.create_sheet("兑付-按月"),
        [
            {
                "month": row["label"],
                "count": row["count"],
                "granted": row["granted"],
                "paid_count": row["paid_count"],
                "paid": row["paid"],
            }
            for row in apps["grants_by_month"]
        ],
    )
    days = apps["days_to_money"]
    _write_rows(
        wb.create_sheet("到账天数"), [{"policy": "合计", "source": "", **days["overall"]}, *days["by_policy"]]
    )
    # 免申即享 after 一键确认 (applications.selectors.autogrant_figures)
    auto = apps["autogrant"]
    ws = wb.create_sheet("免申即享-公示与异议")
    ws.append(["指标", "数值"])
    ws.append(["确认至到账天数(中位数)", auto["days"]["median"]])
    ws.append(["确认至到账天数(P90)", auto["days"]["p90"]])
    ws.append(["符合条件(企业×政策)", auto["missed"]["eligible"]])
    ws.append(["未到账", auto["missed"]["unpaid"]])
    ws.append(["应享未享率(%)", auto["missed"]["rate"]])
    ws.append([])
    _write_rows(ws, auto["objections"])
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="dashboard-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
