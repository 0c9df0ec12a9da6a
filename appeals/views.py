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
from .services.cases import RATE


def _form_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _stored_file(f) -> dict:
    """The fields an attachment or an evidence row keeps of an upload."""
    return {
        "file": f,
        "original_name": f.name[:200],
        "content_type": getattr(f, "content_type", "") or "",
        "size": f.size,
    }


def _case_raise(form, user, **kwargs) -> Case | None:
    """Raise a case from a filled case form, with its attachments; None (the form then holds
    the refusal) when the service refuses it."""
    try:
        with transaction.atomic():
            case = services.case_raise(
                **kwargs, **{k: form.cleaned_data[k] for k in ("kind", "category", "title", "description")}
            )
            for f in form.cleaned_data["attachments"]:
                CaseAttachment.objects.create(case=case, uploaded_by=user, **_stored_file(f))
    except ValidationError as exc:
        _form_error(form, exc)
        return None
    return case


def _refusal(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _action_forms(request, form_classes: dict) -> tuple[str | None, dict]:
    """The posted action, and a form per action bound to the POST only for the posted one."""
    action = request.POST.get("action") if request.method == "POST" else None
    return action, {name: cls(request.POST if action == name else None) for name, cls in form_classes.items()}


def _staff_action(request, action: str, handlers: dict) -> bool:
    """Run the official's posted action: ``handlers`` maps an action to (its form or None, a
    call taking the form's cleaned data). True when done; a refusal is flashed."""
    form, call = handlers.get(action, (None, None))
    try:
        if call is None or (form is not None and not form.is_valid()):
            raise ValidationError(_("请检查填写的内容"))
        call(form.cleaned_data if form is not None else {})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal(exc))
        return False
    return True


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
    policy_id = request.GET.get("policy")
    if policy_id and str(policy_id).isdigit():
        policy = Policy.objects.filter(pk=policy_id, status="published").first()
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        enterprise=request.enterprise,
        initial={"policy": policy.pk if policy else None, "category": "policy" if policy else None},
    )
    if request.method == "POST" and form.is_valid():
        case = _case_raise(
            form, request.user, enterprise=request.enterprise, raised_by=request.user, **form.links()
        )
        if case is not None:
            messages.success(request, _("诉求已提交，编号%s。我们将在办理时限内答复。") % case.number)
            return redirect("appeals:detail", pk=case.pk)
    return render(request, "appeals/case_form.html", {"form": form, "policy": policy})


@enterprise_user_required
def case_detail(request, pk: int):
    case = get_object_or_404(
        Case.objects.select_related("department", "policy", "application"),
        pk=pk,
        enterprise=request.enterprise,
    )
    action, forms = _action_forms(request, {"confirm": ConfirmForm, "rate": RatingForm})
    steps = {
        "confirm": (forms["confirm"], services.case_confirm, ("resolved", "note"), _("感谢您的反馈")),
        "rate": (forms["rate"], services.case_rate, ("score", "comment"), _("感谢您的评价")),
    }
    if action in steps:
        form, step, fields, thanks = steps[action]
        if form.is_valid():
            try:
                step(case=case, actor=request.user, **{k: form.cleaned_data[k] for k in fields})
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, thanks)
                return redirect("appeals:detail", pk=case.pk)
    rating = getattr(case, "rating", None)  # reverse one-to-one: AttributeError when absent
    return render(
        request,
        "appeals/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor", "department"),
            "attachments": case.attachments.all(),
            "confirm_form": forms["confirm"],
            "rating_form": forms["rate"],
            "rating": rating,
            "rateable": RATE.allowed,
            "days_left": _days_left(case),
            "staff": False,
        },
    )


def _visible_or_404(request, model, pk: int):
    """A case or an arrears case, for its enterprise's users and its department's officials."""
    item = get_object_or_404(model, pk=pk)
    user = request.user
    if user.is_authenticated and (
        user.enterprise_id == item.enterprise_id
        or (item.department_id and user.is_official_of(item.department_id))
    ):
        return item
    raise Http404


def case_attachment(request, pk: int, attachment_id: int):
    """Attachments are never on a public path: this view checks who asks, then streams."""
    case = _visible_or_404(request, Case, pk)
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
                    ArrearsEvidence.objects.create(arrears=arrears, **_stored_file(f))
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
            messages.error(request, _refusal(exc))
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
    arrears = _visible_or_404(request, ArrearsCase, pk)
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
    action, forms = _action_forms(
        request, {"answer": AnswerForm, "transfer": TransferForm, "visit": ReturnVisitForm}
    )
    user = request.user
    handlers = {
        "accept": (None, lambda data: services.case_accept(case=case, actor=user)),
        "start": (None, lambda data: services.case_start(case=case, actor=user)),
        "answer": (
            forms["answer"],
            lambda data: services.case_answer(case=case, actor=user, reply=data["reply"]),
        ),
        "transfer": (
            forms["transfer"],
            lambda data: services.case_transfer(
                case=case, actor=user, to_department=data["department"], reason=data["reason"]
            ),
        ),
        "visit": (forms["visit"], lambda data: services.case_return_visit(case=case, actor=user, **data)),
        "close": (None, lambda data: services.case_close(case=case, actor=user)),
    }
    if action and _staff_action(request, action, handlers):
        if action == "transfer":
            messages.success(request, _("已转办"))
            return redirect("appeals:staff_queue")
        messages.success(request, _("已保存"))
        return redirect("appeals:staff_case", pk=case.pk)
    return render(
        request,
        "appeals/case_detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor", "department"),
            "attachments": case.attachments.all(),
            "answer_form": forms["answer"],
            "transfer_form": forms["transfer"],
            "visit_form": forms["visit"],
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
            case = _case_raise(
                form,
                request.user,
                enterprise=enterprise,
                logged_by=request.user,
                source=form.cleaned_data["source"],
                **form.links(),
            )
            if case is not None:
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
    action, forms = _action_forms(
        request, {"verify": ArrearsVerifyForm, "plan": ArrearsPlanForm, "repayment": RepaymentForm}
    )
    user = request.user
    handlers = {
        "verify": (
            forms["verify"],
            lambda data: services.arrears_verify(arrears=arrears, actor=user, **data),
        ),
        "plan": (
            forms["plan"],
            lambda data: services.arrears_plan_agree(arrears=arrears, actor=user, installments=data["plan"]),
        ),
        "repayment": (
            forms["repayment"],
            lambda data: services.arrears_repayment_record(arrears=arrears, actor=user, **data),
        ),
    }
    if action and _staff_action(request, action, handlers):
        messages.success(request, _("已保存"))
        return redirect("appeals:staff_arrears_detail", pk=arrears.pk)
    context = _arrears_context(arrears, staff=True)
    context.update({f"{name}_form": form for name, form in forms.items()})
    return render(request, "appeals/arrears_detail.html", context)
