"""Writes for the 诉求 loop and arrears. Views, the admin and the API call these; every step
is recorded as an event with who and when."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workdays import add_workdays

from .models import (
    OPEN_STATUSES,
    ArrearsCase,
    ArrearsEvent,
    ArrearsStatus,
    Case,
    CaseEvent,
    CaseKind,
    CaseSource,
    CaseStatus,
    Category,
    CategoryTimeLimit,
    DebtorType,
    Rating,
    Repayment,
    RepaymentInstallment,
    ReturnVisit,
    RoutingRule,
)
from .notify import notify_department_heads, notify_enterprise

DEFAULT_TIME_LIMIT_DAYS = 10


def _today() -> dt.date:
    return timezone.localdate()


def _number(prefix: str) -> str:
    return f"{prefix}{timezone.localtime():%Y%m%d}{secrets.randbelow(10**6):06d}"


def _record(case: Case, *, action: str, actor, from_status: str = "", note: str = "") -> None:
    CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        department=case.department,
        note=note,
    )


def _require_official_of(user, department) -> None:
    if user is None:
        return
    if department is None or not user.is_official_of(department.pk):
        raise PermissionDenied(_("只有承办部门的工作人员可以办理该诉求"))


def _require_enterprise_user(user, case: Case) -> None:
    if user is None or getattr(user, "enterprise_id", None) != case.enterprise_id:
        raise PermissionDenied(_("只有提出诉求的企业可以进行此操作"))


def case_route(*, category: str, district: str):
    """The responsible department: the rule for the category and the enterprise's district,
    else the category's city-wide rule, else the 'other' city-wide rule."""
    candidates = RoutingRule.objects.select_related("department").filter(
        category__in=[category, Category.OTHER]
    )
    best = None
    for rule in candidates:
        if rule.district and rule.district != district:
            continue
        key = (rule.category != category, not rule.district, rule.priority)
        if best is None or key < best[0]:
            best = (key, rule)
    return best[1].department if best else None


def case_due_on(*, category: str, start: dt.date) -> dt.date:
    limit = CategoryTimeLimit.objects.filter(category=category).first()
    return add_workdays(start, limit.working_days if limit else DEFAULT_TIME_LIMIT_DAYS)


@transaction.atomic
def case_raise(
    *,
    enterprise,
    category: str,
    title: str,
    description: str,
    kind: str = CaseKind.PROBLEM,
    policy=None,
    source: str = CaseSource.PORTAL,
    raised_by=None,
    logged_by=None,
    parent: Case | None = None,
    department=None,
) -> Case:
    """An enterprise raises a problem, or an official logs one on its behalf (visit, 12345)."""
    errors = {}
    if category not in Category.values:
        errors["category"] = _("类别无效")
    if kind not in CaseKind.values:
        errors["kind"] = _("类型无效")
    if not (title or "").strip():
        errors["title"] = _("请填写标题")
    if not (description or "").strip():
        errors["description"] = _("请描述问题")
    if errors:
        raise ValidationError(errors)
    if logged_by is not None and not logged_by.is_official:
        raise PermissionDenied(_("只有工作人员可以代企业登记诉求"))
    if raised_by is not None and logged_by is None and raised_by.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("只能以本企业名义提出诉求"))
    department = department or case_route(category=category, district=enterprise.district)
    case = Case.objects.create(
        number=_number("SQ"),
        enterprise=enterprise,
        kind=kind,
        category=category,
        title=title.strip(),
        description=description.strip(),
        policy=policy,
        source=source,
        district=enterprise.district,
        department=department,
        raised_by=raised_by or logged_by,
        parent=parent,
        due_on=case_due_on(category=category, start=_today()),
    )
    _record(
        case, action="raised", actor=raised_by or logged_by, note=_("来源：%s") % case.get_source_display()
    )
    if department is None:
        _record(case, action="unrouted", actor=None, note=_("没有匹配的分办规则，待人工分办"))
    return case


@transaction.atomic
def case_transfer(*, case: Case, to_department, reason: str, actor) -> Case:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("转办须说明理由")})
    if case.status not in (
        CaseStatus.SUBMITTED,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.REOPENED,
    ):
        raise ValidationError({"status": _("该诉求当前状态不能转办")})
    if case.department is not None:
        _require_official_of(actor, case.department)
    previous = case.department
    case.department = to_department
    case.assignee = None
    case.save(update_fields=["department", "assignee"])
    _record(
        case,
        action="transferred",
        actor=actor,
        from_status=case.status,
        note=_("由%(a)s转至%(b)s：%(r)s") % {"a": previous or "-", "b": to_department, "r": reason},
    )
    return case


def _transition(case: Case, *, allowed: tuple, to: str, action: str, actor, note: str = "") -> None:
    if case.status not in allowed:
        raise ValidationError(
            {"status": _("当前状态“%(s)s”不能执行该操作") % {"s": case.get_status_display()}}
        )
    previous = case.status
    case.status = to
    case.save()
    _record(case, action=action, actor=actor, from_status=previous, note=note)


@transaction.atomic
def case_accept(*, case: Case, actor) -> Case:
    _require_official_of(actor, case.department)
    case.assignee = actor
    _transition(case, allowed=(CaseStatus.SUBMITTED,), to=CaseStatus.ACCEPTED, action="accepted", actor=actor)
    notify_enterprise(
        case.enterprise,
        title=_("您的诉求已受理：%s") % case.title,
        link=reverse("appeals:detail", args=[case.pk]),
    )
    return case


@transaction.atomic
def case_start(*, case: Case, actor, note: str = "") -> Case:
    _require_official_of(actor, case.department)
    _transition(
        case,
        allowed=(CaseStatus.ACCEPTED, CaseStatus.REOPENED),
        to=CaseStatus.IN_PROGRESS,
        action="in_progress",
        actor=actor,
        note=note,
    )
    return case


@transaction.atomic
def case_answer(*, case: Case, reply: str, actor) -> Case:
    _require_official_of(actor, case.department)
    if not (reply or "").strip():
        raise ValidationError({"reply": _("请填写答复内容")})
    case.reply = reply.strip()
    case.answered_at = timezone.now()
    _transition(
        case,
        allowed=(CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED),
        to=CaseStatus.ANSWERED,
        action="answered",
        actor=actor,
        note=case.reply,
    )
    notify_enterprise(
        case.enterprise,
        title=_("您的诉求已答复：%s") % case.title,
        link=reverse("appeals:detail", args=[case.pk]),
    )
    return case


@transaction.atomic
def case_confirm(*, case: Case, resolved: bool, actor, note: str = "") -> Case:
    """The enterprise says whether the answer solved its problem."""
    _require_enterprise_user(actor, case)
    if resolved:
        case.resolved_at = timezone.now()
        _transition(
            case,
            allowed=(CaseStatus.ANSWERED,),
            to=CaseStatus.CONFIRMED,
            action="confirmed",
            actor=actor,
            note=note,
        )
    else:
        if not (note or "").strip():
            raise ValidationError({"note": _("请说明仍未解决的情况")})
        case.due_on = case_due_on(category=case.category, start=_today())
        case.reminded = case.escalated = False
        _transition(
            case,
            allowed=(CaseStatus.ANSWERED,),
            to=CaseStatus.REOPENED,
            action="reopened",
            actor=actor,
            note=note,
        )
    return case


@transaction.atomic
def case_return_visit(
    *, case: Case, actor, summary: str, method: str = ReturnVisit.Method.PHONE, resolved: bool = True
) -> Case:
    """回访 recorded by an official of the department."""
    _require_official_of(actor, case.department)
    if not (summary or "").strip():
        raise ValidationError({"summary": _("请填写回访情况")})
    if case.status not in (CaseStatus.ANSWERED, CaseStatus.CONFIRMED):
        raise ValidationError({"status": _("答复后才能回访")})
    ReturnVisit.objects.create(
        case=case, official=actor, method=method, summary=summary.strip(), resolved=resolved
    )
    if resolved and case.resolved_at is None:
        case.resolved_at = timezone.now()
    if resolved:
        _transition(
            case,
            allowed=(CaseStatus.ANSWERED, CaseStatus.CONFIRMED),
            to=CaseStatus.VISITED,
            action="return_visit",
            actor=actor,
            note=summary,
        )
    else:
        case.due_on = case_due_on(category=case.category, start=_today())
        _transition(
            case,
            allowed=(CaseStatus.ANSWERED, CaseStatus.CONFIRMED),
            to=CaseStatus.REOPENED,
            action="return_visit_unresolved",
            actor=actor,
            note=summary,
        )
    return case


@transaction.atomic
def case_close(*, case: Case, actor) -> Case:
    """Close a case. Nothing is closed without the enterprise's confirmation or a recorded return visit."""
    _require_official_of(actor, case.department)
    confirmed = case.events.filter(action="confirmed").exists()
    visited = case.return_visits.filter(resolved=True).exists()
    if not (confirmed or visited):
        raise ValidationError({"status": _("企业尚未确认解决，且没有回访记录，不能办结")})
    case.closed_at = timezone.now()
    _transition(
        case,
        allowed=(CaseStatus.CONFIRMED, CaseStatus.VISITED),
        to=CaseStatus.CLOSED,
        action="closed",
        actor=actor,
    )
    notify_enterprise(
        case.enterprise,
        title=_("您的诉求已办结，请评价：%s") % case.title,
        link=reverse("appeals:detail", args=[case.pk]),
    )
    return case


BAD_RATING = 2


@transaction.atomic
def case_rate(*, case: Case, score: int, comment: str, actor) -> Rating:
    """好差评. A bad rating (1–2) reopens the matter as a new work item for the department head."""
    _require_enterprise_user(actor, case)
    if case.status != CaseStatus.CLOSED:
        raise ValidationError({"status": _("办结后才能评价")})
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise ValidationError({"score": _("评分须为1到5的整数")}) from None
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("评分须为1到5的整数")})
    if Rating.objects.filter(case=case).exists():
        raise ValidationError({"score": _("该诉求已评价")})
    if score <= BAD_RATING and not (comment or "").strip():
        raise ValidationError({"comment": _("差评请说明原因，以便重新办理")})
    rating = Rating.objects.create(case=case, score=score, comment=(comment or "").strip(), rated_by=actor)
    _record(case, action="rated", actor=actor, note=f"{score}/5 {rating.comment}")
    if score <= BAD_RATING:
        follow_up = case_raise(
            enterprise=case.enterprise,
            category=case.category,
            kind=case.kind,
            title=_("【差评重办】%s") % case.title,
            description=_("企业评价%(s)d分：%(c)s\n\n原诉求：%(d)s\n原答复：%(r)s")
            % {"s": score, "c": rating.comment, "d": case.description, "r": case.reply},
            policy=case.policy,
            source=CaseSource.RATING,
            parent=case,
            department=case.department,
        )
        follow_up.escalated = True
        follow_up.save(update_fields=["escalated"])
        notify_department_heads(
            follow_up.department,
            title=_("差评重办：%s") % case.title,
            link=reverse("appeals:staff_case", args=[follow_up.pk]),
        )
    return rating


def cases_remind_and_escalate(*, today: dt.date | None = None) -> dict:
    """Reminders before the time limit, escalation to the department head after it.
    Idempotent: each case is reminded once and escalated once per due date."""
    today = today or _today()
    reminded = escalated = 0
    limits = {t.category: t.remind_before for t in CategoryTimeLimit.objects.all()}
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES, due_on__isnull=False).select_related(
        "department"
    )
    for case in open_cases.iterator(chunk_size=500):
        if case.due_on < today and not case.escalated:
            with transaction.atomic():
                if Case.objects.filter(pk=case.pk, escalated=False).update(escalated=True):
                    _record(case, action="escalated", actor=None, note=_("已超过办理期限%s") % case.due_on)
                    notify_department_heads(
                        case.department,
                        title=_("诉求超期督办：%s") % case.title,
                        link=reverse("appeals:staff_case", args=[case.pk]),
                    )
                    escalated += 1
        elif not case.reminded and case.due_on >= today:
            before = limits.get(case.category, 2)
            if add_workdays(today, before) >= case.due_on:
                with transaction.atomic():
                    if Case.objects.filter(pk=case.pk, reminded=False).update(reminded=True):
                        _record(case, action="reminded", actor=None, note=_("办理期限%s将至") % case.due_on)
                        if case.assignee_id or case.department_id:
                            notify_department_heads(
                                case.department,
                                title=_("诉求即将到期：%s") % case.title,
                                link=reverse("appeals:staff_case", args=[case.pk]),
                                heads_only=False,
                            )
                        reminded += 1
    return {"reminded": reminded, "escalated": escalated}


# --- arrears --------------------------------------------------------------------------


def _arrears_event(arrears: ArrearsCase, *, action: str, actor, note: str = "") -> None:
    ArrearsEvent.objects.create(arrears=arrears, action=action, actor=actor, note=note)


@transaction.atomic
def arrears_report(
    *,
    enterprise,
    debtor_name: str,
    debtor_type: str,
    amount,
    due_on: dt.date,
    contract_no: str = "",
    description: str = "",
    reported_by=None,
    department=None,
    debtor_credit_code: str = "",
) -> ArrearsCase:
    errors = {}
    try:
        amount = Decimal(str(amount))
    except Exception:
        errors["amount"] = _("金额格式不正确")
    else:
        if amount <= 0:
            errors["amount"] = _("欠款金额须大于0")
    if not (debtor_name or "").strip():
        errors["debtor_name"] = _("请填写欠款单位")

    if debtor_type not in DebtorType.values:
        errors["debtor_type"] = _("欠款单位类型无效")
    if not isinstance(due_on, dt.date):
        errors["due_on"] = _("请填写约定付款日")
    if errors:
        raise ValidationError(errors)
    if reported_by is not None and not reported_by.is_official and reported_by.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("只能以本企业名义登记"))
    department = department or case_route(category=Category.ARREARS, district=enterprise.district)
    arrears = ArrearsCase.objects.create(
        number=_number("QK"),
        enterprise=enterprise,
        debtor_name=debtor_name.strip(),
        debtor_type=debtor_type,
        debtor_credit_code=debtor_credit_code,
        amount=amount,
        contract_no=contract_no,
        due_on=due_on,
        description=description,
        district=enterprise.district,
        department=department,
        reported_by=reported_by,
    )
    _arrears_event(arrears, action="reported", actor=reported_by)
    return arrears


def _arrears_step(
    arrears: ArrearsCase, *, allowed: tuple, to: str, action: str, actor, note: str = ""
) -> None:
    if arrears.status not in allowed:
        raise ValidationError({"status": _("当前状态“%s”不能执行该操作") % arrears.get_status_display()})
    arrears.status = to
    arrears.save()
    _arrears_event(arrears, action=action, actor=actor, note=note)


@transaction.atomic
def arrears_verify(
    *, arrears: ArrearsCase, actor, verified_amount=None, accept: bool = True, note: str = ""
) -> ArrearsCase:
    _require_official_of(actor, arrears.department)
    if not accept:
        if not note.strip():
            raise ValidationError({"note": _("不予认定须说明理由")})
        arrears.note = note
        _arrears_step(
            arrears,
            allowed=(ArrearsStatus.REPORTED,),
            to=ArrearsStatus.REJECTED,
            action="rejected",
            actor=actor,
            note=note,
        )
        return arrears
    amount = Decimal(str(verified_amount)) if verified_amount not in (None, "") else arrears.amount
    if amount <= 0 or amount > arrears.amount:
        raise ValidationError({"verified_amount": _("核实金额须大于0且不超过登记金额")})
    arrears.verified_amount = amount
    _arrears_step(
        arrears,
        allowed=(ArrearsStatus.REPORTED,),
        to=ArrearsStatus.VERIFIED,
        action="verified",
        actor=actor,
        note=note,
    )
    return arrears


@transaction.atomic
def arrears_plan_agree(
    *, arrears: ArrearsCase, actor, installments: list[tuple[dt.date, Decimal]]
) -> ArrearsCase:
    _require_official_of(actor, arrears.department)
    if not installments:
        raise ValidationError({"plan": _("请至少填写一期还款计划")})
    total = sum((Decimal(str(a)) for _d, a in installments), Decimal("0"))
    if total != arrears.verified_amount:
        raise ValidationError(
            {
                "plan": _("还款计划合计%(t)s元，与核实金额%(v)s元不一致")
                % {"t": total, "v": arrears.verified_amount}
            }
        )
    arrears.plan.all().delete()
    RepaymentInstallment.objects.bulk_create(
        [RepaymentInstallment(arrears=arrears, due_on=d, amount=Decimal(str(a))) for d, a in installments]
    )
    _arrears_step(
        arrears,
        allowed=(ArrearsStatus.VERIFIED,),
        to=ArrearsStatus.PLAN_AGREED,
        action="plan_agreed",
        actor=actor,
        note="; ".join(f"{d}: {a}" for d, a in installments),
    )
    return arrears


@transaction.atomic
def arrears_repayment_record(*, arrears: ArrearsCase, actor, amount, paid_on: dt.date) -> Repayment:
    _require_official_of(actor, arrears.department)
    amount = Decimal(str(amount))
    if arrears.status not in (ArrearsStatus.PLAN_AGREED, ArrearsStatus.REPAYING):
        raise ValidationError({"status": _("约定还款计划后才能登记还款")})
    repaid = arrears.repayments.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if amount <= 0 or repaid + amount > arrears.verified_amount:
        raise ValidationError(
            {
                "amount": _("还款金额须大于0，且累计不超过核实金额（尚欠%s元）")
                % (arrears.verified_amount - repaid)
            }
        )
    repayment = Repayment.objects.create(arrears=arrears, amount=amount, paid_on=paid_on, recorded_by=actor)
    to = ArrearsStatus.PAID if repaid + amount == arrears.verified_amount else ArrearsStatus.REPAYING
    _arrears_step(
        arrears,
        allowed=(ArrearsStatus.PLAN_AGREED, ArrearsStatus.REPAYING),
        to=to,
        action="repayment",
        actor=actor,
        note=f"{paid_on} {amount}",
    )
    if to == ArrearsStatus.PAID:
        notify_enterprise(
            arrears.enterprise,
            title=_("欠款已还清，请确认结清：%s") % arrears.debtor_name,
            link=reverse("appeals:arrears_detail", args=[arrears.pk]),
        )
    return repayment


@transaction.atomic
def arrears_confirm_settled(*, arrears: ArrearsCase, actor) -> ArrearsCase:
    if actor is None or actor.enterprise_id != arrears.enterprise_id:
        raise PermissionDenied(_("只有债权企业可以确认结清"))
    arrears.settled_at = timezone.now()
    _arrears_step(
        arrears, allowed=(ArrearsStatus.PAID,), to=ArrearsStatus.SETTLED, action="settled", actor=actor
    )
    return arrears
