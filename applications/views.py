"""Pages of the applications app: the enterprise's (apply, correct, grants, one-click account
confirmation) and the officials' (review queue, auto-grant batches, payments, figures).
Views check who may act and call one service; the services check again."""

from __future__ import annotations

import json
import mimetypes
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from policies.models import Policy
from portal.accounts.decorators import enterprise_user_required, official_required
from portal.accounts.masking import masked_for

from . import selectors, services
from .access import (
    user_can_review_application,
    user_can_view_application,
    user_can_view_grant,
    user_enterprise_id,
    user_is_official_of,
)
from .models import (
    Application,
    ApplicationFile,
    BankAccount,
    Grant,
    GrantProposal,
    GrantStatus,
    ProposalStatus,
)
from .prefill import application_prefill


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": exc.messages}


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for messages_ in _errors(exc).values():
        for message in messages_:
            messages.error(request, message)


def _files_from(request: HttpRequest, policy) -> list[tuple[int | None, object]]:
    files: list[tuple[int | None, object]] = []
    for material in policy.materials.all():
        for upload in request.FILES.getlist(f"material_{material.pk}"):
            files.append((material.pk, upload))
    for upload in request.FILES.getlist("material_other"):
        files.append((None, upload))
    return files


def _declared_from(request: HttpRequest) -> dict[str, str]:
    declared = {
        k.removeprefix("declared__"): v for k, v in request.POST.items() if k.startswith("declared__")
    }
    declared["contact_name"] = request.POST.get("contact_name", "")
    declared["contact_phone"] = request.POST.get("contact_phone", "")
    return declared


# --- enterprise ---------------------------------------------------------------------------


@enterprise_user_required
def apply(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy.objects.select_related("department"), pk=policy_id, status="published")
    enterprise = request.enterprise
    prefill = application_prefill(policy=policy, enterprise=enterprise)
    materials = list(policy.materials.all())
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        amount = None
        raw_amount = request.POST.get("amount_requested", "").strip()
        if raw_amount:
            try:
                amount = Decimal(raw_amount.replace(",", ""))
            except InvalidOperation:
                errors["amount_requested"] = ["申请金额应为数字"]
        if not errors:
            try:
                application = services.application_submit(
                    policy=policy,
                    enterprise=enterprise,
                    applicant=request.user,
                    declared=_declared_from(request),
                    files=_files_from(request, policy),
                    amount_requested=amount,
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, f"申报已提交，编号 {application.reference}")
                return redirect("applications:detail", pk=application.pk)
    existing = (
        Application.objects.filter(policy=policy, enterprise=enterprise)
        .exclude(status__in=["rejected", "withdrawn"])
        .first()
    )
    return render(
        request,
        "applications/apply.html",
        {
            "policy": policy,
            "enterprise": enterprise,
            "prefill": prefill,
            "materials": materials,
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
            "existing": existing,
            "window": policy.window(),
        },
        status=400 if errors else 200,
    )


@enterprise_user_required
def my_applications(request: HttpRequest) -> HttpResponse:
    enterprise_id = request.enterprise.pk
    applications = list(selectors.applications_for_enterprise(enterprise_id=enterprise_id))
    return render(
        request,
        "applications/mine.html",
        {
            "applications": [(a, selectors.application_clock(a)) for a in applications],
            "grants": selectors.grants_for_enterprise(enterprise_id),
            "app_messages": selectors.messages_for_enterprise(enterprise_id=enterprise_id, limit=20),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.select_related("policy", "enterprise", "department", "applicant"), pk=pk
    )
    if not user_can_view_application(request.user, application):
        raise Http404
    is_reviewer = user_can_review_application(request.user, application)
    is_owner = user_enterprise_id(request.user) == application.enterprise_id
    prefill = (
        application_prefill(policy=application.policy, enterprise=application.enterprise)
        if is_owner
        else None
    )
    labels = application.prefilled.get("labels", {})
    registry_rows = [
        (
            item.get("label") or labels.get(code, code),
            item.get("display") or item.get("value"),
            item.get("period", ""),
        )
        for code, item in application.prefilled.get("fields", {}).items()
    ]
    declared_rows = [
        (
            labels.get(code, code),
            value if is_owner or code != "contact_phone" else masked_for(request.user, value),
        )
        for code, value in application.declared.items()
    ]
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "clock": selectors.application_clock(application),
            "events": application.events.select_related("actor"),
            "files": application.files.select_related("material"),
            "materials": list(application.policy.materials.all()),
            "is_reviewer": is_reviewer,
            "is_owner": is_owner,
            "prefill": prefill,
            "registry_rows": registry_rows,
            "declared_rows": declared_rows,
            "grant": Grant.objects.filter(application=application).first(),
        },
    )


@require_POST
@enterprise_user_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk, enterprise=request.enterprise)
    try:
        services.application_resubmit(
            application=application,
            actor=request.user,
            declared=_declared_from(request),
            files=_files_from(request, application.policy),
            comment=request.POST.get("comment", "")[:500],
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, "补正材料已提交")
    return redirect("applications:detail", pk=pk)


@require_POST
@enterprise_user_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk, enterprise=request.enterprise)
    try:
        services.application_withdraw(application=application, actor=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, "申报已撤回")
    return redirect("applications:detail", pk=pk)


@login_required
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    """The only way to an uploaded file: the applying enterprise or the department's officials."""
    item = get_object_or_404(ApplicationFile.objects.select_related("application"), pk=pk)
    if not user_can_view_application(request.user, item.application):
        raise Http404
    content_type = mimetypes.types_map.get(
        "." + {"jpg": "jpeg"}.get(item.kind, item.kind), "application/octet-stream"
    )
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@enterprise_user_required
def my_grants(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "applications/my_grants.html",
        {"grants": selectors.grants_for_enterprise(request.enterprise.pk)},
    )


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(
        Grant.objects.select_related("policy", "enterprise", "department", "proposal"), pk=pk
    )
    if not user_can_view_grant(request.user, grant):
        raise Http404
    is_owner = user_enterprise_id(request.user) == grant.enterprise_id
    return render(
        request,
        "applications/grant_detail.html",
        {
            "grant": grant,
            "events": grant.events.select_related("actor"),
            "payments": grant.payments.all(),
            "is_owner": is_owner,
            "is_official": user_is_official_of(request.user, grant.department_id),
            "account": BankAccount.objects.filter(enterprise_id=grant.enterprise_id).first()
            if is_owner
            else None,
            "grant_token": services.grant_token_make(grant) if is_owner else "",
        },
    )


def grant_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link (in-app and SMS): shows the account on file, masked; one POST confirms."""
    try:
        grant = services.grant_from_token(token)
    except (ValidationError, Grant.DoesNotExist):
        return render(request, "applications/grant_confirm.html", {"invalid": True}, status=404)
    account = BankAccount.objects.filter(enterprise_id=grant.enterprise_id).first()
    if request.method == "POST":
        new_account = None
        if not account or request.POST.get("account_number"):
            new_account = {
                k: request.POST.get(k, "") for k in ("account_name", "bank_name", "account_number")
            }
        try:
            services.grant_account_confirm(
                grant=grant,
                actor=request.user if request.user.is_authenticated else None,
                via_token=True,
                account=new_account,
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, "收款账户已确认，资金将按程序拨付")
            return redirect("applications:grant_confirm", token=token)
    return render(
        request,
        "applications/grant_confirm.html",
        {"grant": grant, "account": account, "token": token},
    )


@require_POST
@enterprise_user_required
def grant_received(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Grant, pk=pk, enterprise=request.enterprise)
    try:
        services.grant_receipt_confirm(grant=grant, actor=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, "已确认到账")
    return redirect("applications:grant_detail", pk=pk)


# --- officials ------------------------------------------------------------------------------


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
                raise ValidationError({"amount": ["核定金额应为数字"]}) from exc
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
            raise ValidationError({"action": ["未知操作"]})
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, "已办理")
    return redirect("applications:detail", pk=pk)


@official_required
def autogrant_overview(request: HttpRequest) -> HttpResponse:
    return render(
        request, "applications/autogrant.html", {"rows": selectors.auto_grant_overview(user=request.user)}
    )


@official_required
def autogrant_policy(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=policy_id, auto_grant=True)
    if not user_is_official_of(request.user, policy.department_id):
        raise PermissionDenied
    period = request.GET.get("period") or request.POST.get("period") or str(timezone.localdate().year)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("proposal") if i.isdigit()]
        try:
            batch = services.grant_batch_confirm(
                policy=policy, period=period, actor=request.user, proposal_ids=ids or None
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(
                request, f"已确认 {batch.count} 家企业，合计 {batch.total} 元；已通知企业确认收款账户"
            )
        return redirect(f"{reverse('applications:autogrant_policy', args=[policy.pk])}?period={period}")
    proposals = list(selectors.proposals_for_policy(policy_id=policy.pk, period=period)[:500])
    open_total = sum((p.amount or 0) for p in proposals if p.status == ProposalStatus.PROPOSED)
    return render(
        request,
        "applications/autogrant_policy.html",
        {"policy": policy, "period": period, "proposals": proposals, "open_total": open_total},
    )


@require_POST
@official_required
def proposal_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(GrantProposal, pk=pk)
    try:
        services.grant_proposal_exclude(
            proposal=proposal, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, "已排除")
    return redirect(
        f"{reverse('applications:autogrant_policy', args=[proposal.policy_id])}?period={proposal.period}"
    )


@official_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(GrantProposal.objects.select_related("policy", "enterprise"), pk=pk)
    if not user_is_official_of(request.user, proposal.policy.department_id):
        raise PermissionDenied

    return render(
        request,
        "applications/proposal_detail.html",
        {"proposal": proposal, "facts": json.dumps(proposal.facts, ensure_ascii=False, indent=2)},
    )


@official_required
def payments(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("grant") if i.isdigit()]
        try:
            created = services.payment_instructions_create(grant_ids=ids, actor=request.user)
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, f"已下达 {len(created)} 笔拨付指令")
        return redirect("applications:payments")
    return render(
        request,
        "applications/payments.html",
        {
            "grants": selectors.ledger(user=request.user, status=status)[:300],
            "status": status,
            "statuses": GrantStatus.choices,
            "pending": selectors.instructions_pending(user=request.user),
            "import_result": request.session.pop("applications_import_result", None),
        },
    )


@official_required
def payments_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        return HttpResponse("导出格式应为 csv 或 xlsx", status=400, content_type="text/plain; charset=utf-8")
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
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择结果文件")
        return redirect("applications:payments")
    if upload.size > 10 * 1024 * 1024:
        messages.error(request, "结果文件超过 10 MB")
        return redirect("applications:payments")
    result = services.payment_results_import(content=upload.read(), filename=upload.name, actor=request.user)
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
