"""The officials' pages: the review queue and actions, payments (instructions, the bank's
export and results) and the figures."""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import official_required

from .. import selectors, services
from ..access import (
    user_can_review_application,
)
from ..models import (
    Application,
    GrantStatus,
)
from .common import flash_errors, service_call


@official_required
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "applications/review_queue.html",
        {"items": selectors.review_queue(user=request.user), "today": timezone.localdate()},
    )


@require_POST
@official_required
def review_action(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    if not user_can_review_application(request.user, application):
        raise PermissionDenied
    action = request.POST.get("action", "")
    try:
        if action == "accept":
            services.application_accept(application=application, actor=request.user)
        elif action == "return":
            services.application_return(
                application=application, actor=request.user, reasons=request.POST.get("reasons", "")
            )
        elif action == "approve":
            try:
                amount = Decimal(request.POST.get("amount", "").replace(",", ""))
            except InvalidOperation as exc:
                raise ValidationError({"amount": [_("核定金额应为数字")]}) from exc
            services.application_approve(
                application=application,
                actor=request.user,
                amount=amount,
                comment=request.POST.get("reasons", ""),
            )
        elif action == "reject":
            services.application_reject(
                application=application, actor=request.user, reasons=request.POST.get("reasons", "")
            )
        else:
            raise ValidationError({"action": [_("未知操作")]})
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已办理"))
    return redirect("applications:detail", pk=pk)


@official_required
def payments(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("grant") if i.isdigit()]
        if request.POST.get("confirmed") != "1":
            # public money: instructions are issued on a separate step that shows what they pay
            chosen = list(selectors.ledger(user=request.user).filter(pk__in=ids))
            blocks = services.payment_blocks(chosen, today=timezone.localdate())
            for grant in chosen:
                grant.payment_block = blocks.get(grant.pk, "")
            return render(
                request,
                "applications/payments_confirm.html",
                {"grants": chosen, "total": sum((g.amount for g in chosen if not g.payment_block), 0)},
            )
        service_call(
            request,
            lambda: services.payment_instructions_create(grant_ids=ids, actor=request.user),
            done=lambda created: _("已下达 %(count)s 笔拨付指令") % {"count": len(created)},
        )
        return redirect("applications:payments")
    grants = list(selectors.ledger(user=request.user, status=status)[:300])
    blocks = services.payment_blocks(
        [g for g in grants if g.status == GrantStatus.READY], today=timezone.localdate()
    )
    for grant in grants:
        grant.payment_block = blocks.get(grant.pk, "")
    return render(
        request,
        "applications/payments.html",
        {
            "grants": grants,
            "status": status,
            "statuses": GrantStatus.choices,
            "pending": selectors.instructions_pending(user=request.user),
            "import_result": request.session.pop("applications_import_result", None),
        },
    )


@official_required
def payments_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(
            _("导出格式应为 csv 或 xlsx"), status=400, content_type="text/plain; charset=utf-8"
        )
    instructions = services.instructions_for_export(user=request.user, only_new=request.GET.get("new") == "1")
    data = services.payment_instructions_export(instructions=instructions, fmt=fmt)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="payment-batch-{stamp}.{fmt}"'
    return response


@require_POST
@official_required
def payments_import(request: HttpRequest) -> HttpResponse:
    """Marking payments from the bank's results is confirmed on a second step: the file is
    checked in a transaction that is rolled back (nothing written, no message sent), the
    rows are shown with their totals, and only 确认登记 writes them."""
    if request.POST.get("confirmed") == "1":
        pending = request.session.pop("applications_import_pending", None)
        if not pending:
            messages.error(request, _("请重新选择结果文件"))
            return redirect("applications:payments")
        content, filename = base64.b64decode(pending["content"]), pending["name"]
    else:
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择结果文件"))
            return redirect("applications:payments")
        if upload.size > 10 * 1024 * 1024:
            messages.error(request, _("结果文件超过 10 MB"))
            return redirect("applications:payments")
        content, filename = upload.read(), upload.name
        with transaction.atomic():
            trial = services.payment_results_import(content=content, filename=filename, actor=request.user)
            transaction.set_rollback(True)
        if trial.ok:
            request.session["applications_import_pending"] = {
                "name": filename,
                "content": base64.b64encode(content).decode(),
            }
            rows = services.payment_results_preview(content=content, filename=filename)
            return render(
                request,
                "applications/payments_import_confirm.html",
                {"trial": trial, "rows": rows, "filename": filename},
            )
        request.session["applications_import_result"] = {
            "ok": False,
            "errors": trial.errors[:200],
            "paid": 0,
            "failed": 0,
        }
        return redirect("applications:payments")
    result = services.payment_results_import(content=content, filename=filename, actor=request.user)
    request.session["applications_import_result"] = {
        "ok": result.ok,
        "errors": result.errors[:200],
        "paid": result.paid,
        "failed": result.failed,
    }
    return redirect("applications:payments")


@official_required
def figures(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "applications/figures.html",
        {
            "departments": selectors.department_figures(user=request.user),
            "days": selectors.days_to_money(user=request.user),
            "by_policy": selectors.grant_totals(user=request.user, by="policy"),
            "by_department": selectors.grant_totals(user=request.user, by="department"),
            "by_district": selectors.grant_totals(user=request.user, by="district"),
            "by_month": selectors.grant_totals(user=request.user, by="month"),
        },
    )
