"""免申即享 信息公示 and 异议处置: the public list (no login) with its objection form and the
objector's status page; the enterprise's 应享未享 report; the officials' objections page."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import enterprise_user_required, official_required
from portal.client_ip import client_ip

from .. import selectors
from ..access import user_enterprise_id, user_is_official_of
from ..models import GrantBatch, GrantObjection, ObjectionFile, ObjectionStatus
from ..services import notice
from .common import errors_of


def _form_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Per-field messages for the template; those of no field under ``form``."""
    errors = errors_of(exc)
    if "__all__" in errors:
        errors["form"] = errors.pop("__all__")
    return errors


def notice_list(request: HttpRequest) -> HttpResponse:
    today = selectors.today_local()
    batches = list(notice.public_batches(today=today))
    for batch in batches:
        batch.on_notice = notice.batch_on_notice(batch, today=today)
    return render(request, "applications/notice_list.html", {"batches": batches, "today": today})


def notice_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(
        GrantBatch.objects.select_related("policy", "policy__department"), pk=pk, notice_until__isnull=False
    )
    today = selectors.today_local()
    on_notice = notice.batch_on_notice(batch, today=today)
    entries = notice.public_entries(batch)
    errors: dict[str, list[str]] = {}
    form = {"grant": request.GET.get("entry", ""), "reason": "", "contact": ""}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("grant", "reason", "contact")}
        try:
            objection = notice.objection_file(
                batch=batch,
                grant_id=form["grant"],
                reason=form["reason"],
                contact=form["contact"],
                client_ip=client_ip(request),
                user=request.user,
            )
        except ValidationError as exc:
            errors = _form_errors(exc)
            status = 400
        else:
            messages.success(request, _("异议已受理，请保存本页链接以查看处理结果"))
            return redirect(
                "applications:objection_status", reference=objection.reference, key=objection.access_key
            )
    return render(
        request,
        "applications/notice_batch.html",
        {
            "batch": batch,
            "entries": entries,
            "on_notice": on_notice,
            "errors": errors,
            "form": form,
            "total": sum((e["amount"] for e in entries if not e["withdrawn"]), 0),
            "standing": sum(1 for e in entries if not e["withdrawn"]),
        },
        status=status,
    )


def objection_status(request: HttpRequest, reference: str, key: str) -> HttpResponse:
    objection = (
        GrantObjection.objects.select_related("policy", "grant__enterprise", "batch")
        .filter(reference=reference)
        .first()
    )
    if objection is None or not secrets.compare_digest(objection.access_key, key):
        raise Http404
    return render(request, "applications/objection_status.html", {"objection": objection})


@enterprise_user_required
def missed_report(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    form = {
        "policy": request.GET.get("policy", ""),
        "period": str(selectors.today_local().year),
        "reason": "",
        "expected_amount": "",
    }
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("policy", "period", "reason", "expected_amount")}
        try:
            notice.missed_report(
                actor=request.user,
                policy_id=form["policy"],
                period=form["period"],
                reason=form["reason"],
                expected_amount=form["expected_amount"],
                files=request.FILES.getlist("files"),
            )
        except ValidationError as exc:
            errors = _form_errors(exc)
            status = 400
        else:
            messages.success(request, _("已提交，政策主管部门处理后将通过站内消息告知结果"))
            return redirect("applications:missed_report")
    reports = (
        GrantObjection.objects.filter(enterprise_id=request.enterprise.pk)
        .select_related("policy", "created_grant")
        .prefetch_related("files")
    )
    return render(
        request,
        "applications/missed_report.html",
        {
            "policies": notice.missed_policies().order_by("title"),
            "reports": reports,
            "errors": errors,
            "form": form,
        },
        status=status,
    )


def objection_file_download(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(ObjectionFile.objects.select_related("objection"), pk=pk)
    objection = item.objection
    allowed = (objection.enterprise_id and user_enterprise_id(request.user) == objection.enterprise_id) or (
        user_is_official_of(request.user, objection.department_id)
    )
    if not allowed:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


@official_required
def objections(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ObjectionStatus.values:
        status = ""
    return render(
        request,
        "applications/objections.html",
        {
            "items": notice.objections_for_official(user=request.user, status=status)[:300],
            "status": status,
            "statuses": ObjectionStatus.choices,
        },
    )


@require_POST
@official_required
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(GrantObjection, pk=pk)
    if not user_is_official_of(request.user, objection.department_id):
        raise PermissionDenied
    outcome = request.POST.get("outcome", "")
    try:
        if outcome not in ("upheld", "rejected"):
            raise ValidationError({"outcome": [_("请选择处理结果：成立或不成立")]})
        notice.objection_resolve(
            objection=objection,
            actor=request.user,
            upheld=outcome == "upheld",
            decision=request.POST.get("decision", ""),
            amount=request.POST.get("amount", ""),
        )
    except ValidationError as exc:
        for texts in errors_of(exc).values():
            for text in texts:
                messages.error(request, f"{objection.reference}：{text}")
    else:
        messages.success(request, _("%(reference)s 已处理") % {"reference": objection.reference})
    return redirect(f"{reverse('applications:objections')}#objection-{objection.pk}")
