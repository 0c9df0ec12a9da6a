"""Pages of the 诉求 loop: the enterprise raises, confirms and rates; officials handle."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.uploads import upload_check
from enterprises.models import Enterprise
from enterprises.reference import normalize_credit_code
from policies.models import Policy
from portal.accounts.decorators import enterprise_user_required, official_required
from portal.accounts.selectors import user_departments
from portal.workdays import workdays_between

from . import services
from .forms import (
    AnswerForm,
    ArrearsForm,
    ArrearsPlanForm,
    ArrearsVerifyForm,
    CaseForm,
    ConfirmForm,
    LogOnBehalfForm,
    RatingForm,
    RepaymentForm,
    ReturnVisitForm,
    TransferForm,
)
from .models import (
    OPEN_STATUSES,
    ArrearsCase,
    ArrearsEvidence,
    Case,
    CaseAttachment,
    CaseStatus,
)


def _form_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _save_attachments(case: Case, files, user) -> None:
    for f in files:
        CaseAttachment.objects.create(
            case=case,
            file=f,
            original_name=f.name[:200],
            content_type=getattr(f, "content_type", "") or "",
            size=f.size,
            uploaded_by=user,
        )


def _days_left(case: Case) -> int | None:
    if case.due_on is None or case.status not in OPEN_STATUSES:
        return None
    return workdays_between(timezone.localdate(), case.due_on)


# --- enterprise -----------------------------------------------------------------------


@enterprise_user_required
def my_cases(request):
    cases = Case.objects.filter(enterprise=request.enterprise).select_related("department", "rating")
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    return render(request, "appeals/my_cases.html", {"page": page})


@enterprise_user_required
def case_new(request):
    policy = None
    policy_id = request.GET.get("policy") or request.POST.get("policy")
    if policy_id and str(policy_id).isdigit():
        policy = Policy.objects.filter(pk=policy_id, status="published").first()
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        initial={"policy": policy.pk if policy else None, "category": "policy" if policy else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                case = services.case_raise(
                    enterprise=request.enterprise,
                    raised_by=request.user,
                    policy=policy,
                    **{k: form.cleaned_data[k] for k in ("kind", "category", "title", "description")},
                )
                _save_attachments(case, form.cleaned_data["attachments"], request.user)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("诉求已提交，编号%s。我们将在办理时限内答复。") % case.number)
            return redirect("appeals:detail", pk=case.pk)
    return render(request, "appeals/case_form.html", {"form": form, "policy": policy})


@enterprise_user_required
def case_detail(request, pk: int):
    case = get_object_or_404(
        Case.objects.select_related("department", "policy"), pk=pk, enterprise=request.enterprise
    )
    confirm_form = ConfirmForm(request.POST if request.POST.get("action") == "confirm" else None)
    rating_form = RatingForm(request.POST if request.POST.get("action") == "rate" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm" and confirm_form.is_valid():
                services.case_confirm(
                    case=case,
                    actor=request.user,
                    resolved=confirm_form.cleaned_data["resolved"],
                    note=confirm_form.cleaned_data["note"],
                )
                messages.success(request, _("感谢您的反馈"))
                return redirect("appeals:detail", pk=case.pk)
            if request.POST.get("action") == "rate" and rating_form.is_valid():
                services.case_rate(
                    case=case,
                    actor=request.user,
                    score=rating_form.cleaned_data["score"],
                    comment=rating_form.cleaned_data["comment"],
                )
                messages.success(request, _("感谢您的评价"))
                return redirect("appeals:detail", pk=case.pk)
        except ValidationError as exc:
            _form_error(rating_form if request.POST.get("action") == "rate" else confirm_form, exc)
    rating = getattr(case, "rating", None)  # reverse one-to-one: AttributeError when absent
    return render(
        request,
        "appeals/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor", "department"),
            "attachments": case.attachments.all(),
            "confirm_form": confirm_form,
            "rating_form": rating_form,
            "rating": rating,
            "days_left": _days_left(case),
            "staff": False,
        },
    )


def _visible_case_or_404(request, pk: int) -> Case:
    case = get_object_or_404(Case, pk=pk)
    user = request.user
    if user.is_authenticated and user.enterprise_id == case.enterprise_id:
        return case
    if case.department_id and user.is_authenticated and user.is_official_of(case.department_id):
        return case
    raise Http404


def case_attachment(request, pk: int, attachment_id: int):
    """Attachments are never on a public path: this view checks who asks, then streams."""
    case = _visible_case_or_404(request, pk)
    attachment = get_object_or_404(CaseAttachment, pk=attachment_id, case=case)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@enterprise_user_required
def my_arrears(request):
    items = ArrearsCase.objects.filter(enterprise=request.enterprise)
    return render(request, "appeals/my_arrears.html", {"items": items})


@enterprise_user_required
def arrears_new(request):
    form = ArrearsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                for f in data["evidence"]:
                    upload_check(f)
                arrears = services.arrears_report(
                    enterprise=request.enterprise,
                    reported_by=request.user,
                    debtor_name=data["debtor_name"],
                    debtor_type=data["debtor_type"],
                    amount=data["amount"],
                    due_on=data["due_on"],
                    contract_no=data["contract_no"],
                    description=data["description"],
                )
                for f in data["evidence"]:
                    ArrearsEvidence.objects.create(
                        arrears=arrears,
                        file=f,
                        original_name=f.name[:200],
                        content_type=getattr(f, "content_type", "") or "",
                        size=f.size,
                    )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记，编号%s") % arrears.number)
            return redirect("appeals:arrears_detail", pk=arrears.pk)
    return render(request, "appeals/arrears_form.html", {"form": form})


@enterprise_user_required
def arrears_detail(request, pk: int):
    arrears = get_object_or_404(ArrearsCase, pk=pk, enterprise=request.enterprise)
    if request.method == "POST" and request.POST.get("action") == "settle":
        try:
            services.arrears_confirm_settled(arrears=arrears, actor=request.user)
            messages.success(request, _("已确认结清"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("appeals:arrears_detail", pk=arrears.pk)
    return render(request, "appeals/arrears_detail.html", _arrears_context(arrears, staff=False))


def _arrears_context(arrears: ArrearsCase, *, staff: bool) -> dict:
    repaid = sum((r.amount for r in arrears.repayments.all()), 0)
    return {
        "arrears": arrears,
        "plan": arrears.plan.all(),
        "repayments": arrears.repayments.all(),
        "events": arrears.events.select_related("actor"),
        "evidence": arrears.evidence.all(),
        "repaid": repaid,
        "outstanding": (arrears.verified_amount or arrears.amount) - repaid,
        "staff": staff,
    }


def arrears_evidence(request, pk: int, evidence_id: int):
    arrears = get_object_or_404(ArrearsCase, pk=pk)
    user = request.user
    allowed = user.is_authenticated and (
        user.enterprise_id == arrears.enterprise_id
        or (arrears.department_id and user.is_official_of(arrears.department_id))
    )
    if not allowed:
        raise Http404
    item = get_object_or_404(ArrearsEvidence, pk=evidence_id, arrears=arrears)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)


# --- officials ------------------------------------------------------------------------


def _of_my_departments(request, qs):
    """An official handles the cases and arrears of their departments; a superuser all."""
    return qs if request.user.is_superuser else qs.filter(department__in=user_departments(request.user))


def _staff_cases(request):
    return _of_my_departments(request, Case.objects.select_related("enterprise", "department"))


@official_required
def staff_queue(request):
    qs = _staff_cases(request)
    state = request.GET.get("state", "open")
    today = timezone.localdate()
    if state == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif state == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    elif state == "answered":
        qs = qs.filter(status__in=[CaseStatus.ANSWERED, CaseStatus.CONFIRMED, CaseStatus.VISITED])
    if request.GET.get("q"):
        q = request.GET["q"].strip()
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(enterprise__name__icontains=q))
    qs = qs.order_by("due_on", "created_at")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = [(case, _days_left(case)) for case in page.object_list]
    return render(
        request,
        "appeals/staff_queue.html",
        {"page": page, "rows": rows, "state": state, "q": request.GET.get("q", "")},
    )


@official_required
def staff_case(request, pk: int):
    case = get_object_or_404(_staff_cases(request), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    transfer_form = TransferForm(request.POST if action == "transfer" else None)
    visit_form = ReturnVisitForm(request.POST if action == "visit" else None)
    if action:
        try:
            if action == "accept":
                services.case_accept(case=case, actor=request.user)
            elif action == "start":
                services.case_start(case=case, actor=request.user)
            elif action == "answer" and answer_form.is_valid():
                services.case_answer(case=case, actor=request.user, reply=answer_form.cleaned_data["reply"])
            elif action == "transfer" and transfer_form.is_valid():
                services.case_transfer(
                    case=case,
                    actor=request.user,
                    to_department=transfer_form.cleaned_data["department"],
                    reason=transfer_form.cleaned_data["reason"],
                )
                messages.success(request, _("已转办"))
                return redirect("appeals:staff_queue")
            elif action == "visit" and visit_form.is_valid():
                services.case_return_visit(case=case, actor=request.user, **visit_form.cleaned_data)
            elif action == "close":
                services.case_close(case=case, actor=request.user)
            else:
                raise ValidationError(_("请检查填写的内容"))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(request, _("已保存"))
            return redirect("appeals:staff_case", pk=case.pk)
    return render(
        request,
        "appeals/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor", "department"),
            "attachments": case.attachments.all(),
            "answer_form": answer_form,
            "transfer_form": transfer_form,
            "visit_form": visit_form,
            "days_left": _days_left(case),
            "staff": True,
            "rating": getattr(case, "rating", None),
            "return_visits": case.return_visits.select_related("official"),
        },
    )


@official_required
def staff_log(request):
    form = LogOnBehalfForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        code = normalize_credit_code(form.cleaned_data["credit_code"])
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            form.add_error("credit_code", _("登记库中没有该统一社会信用代码的企业"))
        else:
            try:
                with transaction.atomic():
                    case = services.case_raise(
                        enterprise=enterprise,
                        logged_by=request.user,
                        source=form.cleaned_data["source"],
                        **{k: form.cleaned_data[k] for k in ("kind", "category", "title", "description")},
                    )
                    _save_attachments(case, form.cleaned_data["attachments"], request.user)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已代企业登记，编号%s") % case.number)
                return (
                    redirect("appeals:staff_case", pk=case.pk)
                    if case.department_id and request.user.is_official_of(case.department_id)
                    else redirect("appeals:staff_queue")
                )
    return render(request, "appeals/staff_log.html", {"form": form})


def _staff_arrears(request):
    return _of_my_departments(request, ArrearsCase.objects.select_related("enterprise", "department"))


@official_required
def staff_arrears_list(request):
    page = Paginator(_staff_arrears(request).order_by("status", "-created_at"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "appeals/staff_arrears.html", {"page": page})


@official_required
def staff_arrears_detail(request, pk: int):
    arrears = get_object_or_404(_staff_arrears(request), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    verify_form = ArrearsVerifyForm(request.POST if action == "verify" else None)
    plan_form = ArrearsPlanForm(request.POST if action == "plan" else None)
    repayment_form = RepaymentForm(request.POST if action == "repayment" else None)
    if action:
        try:
            if action == "verify" and verify_form.is_valid():
                services.arrears_verify(arrears=arrears, actor=request.user, **verify_form.cleaned_data)
            elif action == "plan" and plan_form.is_valid():
                services.arrears_plan_agree(
                    arrears=arrears, actor=request.user, installments=plan_form.cleaned_data["plan"]
                )
            elif action == "repayment" and repayment_form.is_valid():
                services.arrears_repayment_record(
                    arrears=arrears, actor=request.user, **repayment_form.cleaned_data
                )
            else:
                raise ValidationError(_("请检查填写的内容"))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("已保存"))
            return redirect("appeals:staff_arrears_detail", pk=arrears.pk)
    context = _arrears_context(arrears, staff=True)
    context.update(verify_form=verify_form, plan_form=plan_form, repayment_form=repayment_form)
    return render(request, "appeals/arrears_detail.html", context)
