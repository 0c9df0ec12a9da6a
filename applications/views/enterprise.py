"""The enterprise's pages of an application: apply, follow, correct, withdraw, download."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from policies.models import Policy
from portal.accounts.decorators import enterprise_user_required
from portal.accounts.masking import masked_for

from .. import selectors, services
from ..access import (
    user_can_review_application,
    user_can_view_application,
    user_enterprise_id,
)
from ..models import (
    Application,
    ApplicationDraft,
    ApplicationFile,
    Grant,
)
from ..prefill import application_prefill
from ..services import drafts
from .common import errors_of, service_call, visible_or_404


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


def _posted_from_draft(draft) -> dict[str, str]:
    """A saved draft as the form's posted values (the inverse of ``_declared_from``)."""
    if draft is None:
        return {}
    posted = {
        (k if k in ("contact_name", "contact_phone") else f"declared__{k}"): v
        for k, v in draft.declared.items()
    }
    posted["amount_requested"] = draft.amount_requested
    return posted


# --- enterprise ---------------------------------------------------------------------------


@enterprise_user_required
def apply(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy.objects.select_related("department"), pk=policy_id, status="published")
    enterprise = request.enterprise
    prefill = application_prefill(policy=policy, enterprise=enterprise)
    materials = list(policy.materials.all())
    errors: dict[str, list[str]] = {}
    action = request.POST.get("action", "submit") if request.method == "POST" else ""
    if action in ("draft", "discard"):
        # 暂存 keeps what was typed (nothing required yet); 删除草稿 drops it.
        try:
            if action == "draft":
                drafts.draft_save(
                    policy=policy,
                    enterprise=enterprise,
                    user=request.user,
                    declared=_declared_from(request),
                    amount_requested=request.POST.get("amount_requested", ""),
                )
            else:
                drafts.draft_discard(policy=policy, enterprise=enterprise, user=request.user)
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            if action == "discard":
                messages.success(request, _("草稿已删除"))
                return redirect("applications:mine")
            messages.success(request, _("已暂存。可随时从“我的申报”继续填写，提交前不会送审。"))
            return redirect("applications:apply", policy_id=policy.pk)
    elif request.method == "POST":
        amount = None
        raw_amount = request.POST.get("amount_requested", "").strip()
        if raw_amount:
            try:
                amount = Decimal(raw_amount.replace(",", ""))
            except InvalidOperation:
                errors["amount_requested"] = [_("申请金额应为数字")]
        if not errors:
            try:
                application = drafts.draft_submit(
                    policy=policy,
                    enterprise=enterprise,
                    applicant=request.user,
                    declared=_declared_from(request),
                    files=_files_from(request, policy),
                    amount_requested=amount,
                )
            except ValidationError as exc:
                errors = errors_of(exc)
            else:
                messages.success(
                    request, _("申报已提交，编号 %(reference)s") % {"reference": application.reference}
                )
                return redirect("applications:detail", pk=application.pk)
    existing = (
        Application.objects.filter(policy=policy, enterprise=enterprise)
        .exclude(status__in=["rejected", "withdrawn"])
        .first()
    )
    draft = drafts.draft_for(policy=policy, enterprise=enterprise)
    posted = request.POST if request.method == "POST" else _posted_from_draft(draft)
    return render(
        request,
        "applications/apply.html",
        {
            "policy": policy,
            "enterprise": enterprise,
            "prefill": prefill,
            "materials": materials,
            "errors": errors,
            "posted": posted,
            "existing": existing,
            "draft": draft,
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
            "drafts": ApplicationDraft.objects.filter(enterprise_id=enterprise_id).select_related("policy"),
            "applications": [(a, selectors.application_clock(a)) for a in applications],
            "grants": selectors.grants_for_enterprise(enterprise_id),
            "app_messages": selectors.messages_for_enterprise(enterprise_id=enterprise_id, limit=20),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_or_404(
        request,
        Application.objects.select_related("policy", "enterprise", "department", "applicant"),
        pk,
        user_can_view_application,
    )
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


def _own_application_step(request: HttpRequest, pk: int, step: Callable, *, done: str) -> HttpResponse:
    """A step the applying enterprise takes on its application (``step(application)``)."""
    application = get_object_or_404(Application, pk=pk, enterprise=request.enterprise)
    service_call(request, lambda: step(application), done=done)
    return redirect("applications:detail", pk=pk)


@require_POST
@enterprise_user_required
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    return _own_application_step(
        request,
        pk,
        lambda application: services.application_resubmit(
            application=application,
            actor=request.user,
            declared=_declared_from(request),
            files=_files_from(request, application.policy),
            comment=request.POST.get("comment", "")[:500],
        ),
        done=_("补正材料已提交"),
    )


@require_POST
@enterprise_user_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _own_application_step(
        request,
        pk,
        lambda application: services.application_withdraw(application=application, actor=request.user),
        done=_("申报已撤回"),
    )


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
