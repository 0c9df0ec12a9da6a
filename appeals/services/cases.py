"""The 诉求 loop: raise, route, transfer, accept, answer, confirm, visit, close, rate, and the
reminders and escalations of the time limits. Each step is one of the ``Step``s below, taken
through ``steps.step_check`` / ``steps.step_take``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.workdays import add_workdays

from ..models import (
    OPEN_STATUSES,
    Case,
    CaseKind,
    CaseSource,
    CaseStatus,
    Category,
    CategoryTimeLimit,
    Rating,
    RatingScore,
    ReturnVisit,
    RoutingRule,
)
from ..notify import notify_department_heads, notify_enterprise
from .steps import ANYONE, ENTERPRISE, Step, local_today, number_make, record, step_check, step_take

DEFAULT_TIME_LIMIT_DAYS = 10


def case_route(*, category: str, district: str, policy=None, application=None):
    """The responsible department: for a case about an application, the department handling
    that application; for a case about a policy, the policy's lead department (牵头部门);
    otherwise the rule for the category and the enterprise's district, else the category's
    city-wide rule, else the 'other' city-wide rule."""
    if application is not None:
        return application.department
    if policy is not None:
        return policy.department
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
    application=None,
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
    if application is not None:
        if application.enterprise_id != enterprise.pk:
            errors["application"] = _("只能选择本企业的申报")
        elif policy is not None and policy.pk != application.policy_id:
            errors["policy"] = _("所选政策与所选申报的政策不一致")
        else:
            policy = application.policy
    if errors:
        raise ValidationError(errors)
    if logged_by is not None and not logged_by.is_official:
        raise PermissionDenied(_("只有工作人员可以代企业登记诉求"))
    if raised_by is not None and logged_by is None and raised_by.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("只能以本企业名义提出诉求"))
    department = department or case_route(
        category=category, district=enterprise.district, policy=policy, application=application
    )
    case = Case.objects.create(
        number=number_make("SQ"),
        enterprise=enterprise,
        kind=kind,
        category=category,
        title=title.strip(),
        description=description.strip(),
        policy=policy,
        application=application,
        source=source,
        district=enterprise.district,
        department=department,
        raised_by=raised_by or logged_by,
        parent=parent,
        due_on=case_due_on(category=category, start=local_today()),
    )
    record(
        case, action="raised", actor=raised_by or logged_by, note=_("来源：%s") % case.get_source_display()
    )
    if department is None:
        record(case, action="unrouted", actor=None, note=_("没有匹配的分办规则，待人工分办"))
    return case


S = CaseStatus
_HANDLING = (S.ACCEPTED, S.IN_PROGRESS, S.REOPENED)
TRANSFER = Step(
    "transferred", (S.SUBMITTED, *_HANDLING), None, refusal=gettext_lazy("该诉求当前状态不能转办")
)
# An unrouted case has no department yet: whoever reaches it (a superuser's queue) routes it.
TRANSFER_UNROUTED = replace(TRANSFER, by=ANYONE)
ACCEPT = Step("accepted", (S.SUBMITTED,), S.ACCEPTED)
START = Step("in_progress", (S.ACCEPTED, S.REOPENED), S.IN_PROGRESS)
ANSWER = Step("answered", _HANDLING, S.ANSWERED)
CONFIRM = Step("confirmed", (S.ANSWERED,), S.CONFIRMED, by=ENTERPRISE)
REOPEN = Step("reopened", (S.ANSWERED,), S.REOPENED, by=ENTERPRISE)
VISIT = Step("return_visit", (S.ANSWERED, S.CONFIRMED), S.VISITED, refusal=gettext_lazy("答复后才能回访"))
VISIT_UNRESOLVED = replace(VISIT, action="return_visit_unresolved", to=S.REOPENED)
CLOSE = Step("closed", (S.CONFIRMED, S.VISITED), S.CLOSED)
# 好差评 once the enterprise confirmed the answer solved it or an official recorded a return
# visit (and still after closing); a rating does not move the status.
RATE = Step(
    "rated",
    (S.CONFIRMED, S.VISITED, S.CLOSED),
    None,
    by=ENTERPRISE,
    refusal=gettext_lazy("确认问题已解决或工作人员回访后才能评价"),
)


def _notify(case: Case, title: str) -> None:
    notify_enterprise(case.enterprise, title=title, link=reverse("appeals:detail", args=[case.pk]))


@transaction.atomic
def case_transfer(*, case: Case, to_department, reason: str, actor) -> Case:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("转办须说明理由")})
    step = TRANSFER if case.department is not None else TRANSFER_UNROUTED
    step_check(case, step, actor=actor)
    previous = case.department
    case.department = to_department
    case.assignee = None
    step_take(
        case,
        step,
        actor=actor,
        note=_("由%(a)s转至%(b)s：%(r)s") % {"a": previous or "-", "b": to_department, "r": reason},
    )
    return case


@transaction.atomic
def case_accept(*, case: Case, actor) -> Case:
    step_check(case, ACCEPT, actor=actor)
    case.assignee = actor
    step_take(case, ACCEPT, actor=actor)
    _notify(case, _("您的诉求已受理：%s") % case.title)
    return case


@transaction.atomic
def case_start(*, case: Case, actor, note: str = "") -> Case:
    step_check(case, START, actor=actor)
    step_take(case, START, actor=actor, note=note)
    return case


@transaction.atomic
def case_answer(*, case: Case, reply: str, actor) -> Case:
    step_check(case, ANSWER, actor=actor)
    if not (reply or "").strip():
        raise ValidationError({"reply": _("请填写答复内容")})
    case.reply = reply.strip()
    case.answered_at = timezone.now()
    step_take(case, ANSWER, actor=actor, note=case.reply)
    _notify(case, _("您的诉求已答复：%s") % case.title)
    return case


@transaction.atomic
def case_confirm(*, case: Case, resolved: bool, actor, note: str = "") -> Case:
    """The enterprise says whether the answer solved its problem."""
    step = CONFIRM if resolved else REOPEN
    step_check(case, step, actor=actor)
    if resolved:
        case.resolved_at = timezone.now()
    else:
        if not (note or "").strip():
            raise ValidationError({"note": _("请说明仍未解决的情况")})
        case.due_on = case_due_on(category=case.category, start=local_today())
        case.reminded = case.escalated = False
    step_take(case, step, actor=actor, note=note)
    return case


@transaction.atomic
def case_return_visit(
    *, case: Case, actor, summary: str, method: str = ReturnVisit.Method.PHONE, resolved: bool = True
) -> Case:
    """回访 recorded by an official of the department."""
    step = VISIT if resolved else VISIT_UNRESOLVED
    step_check(case, step, actor=actor)
    if not (summary or "").strip():
        raise ValidationError({"summary": _("请填写回访情况")})
    ReturnVisit.objects.create(
        case=case, official=actor, method=method, summary=summary.strip(), resolved=resolved
    )
    if resolved and case.resolved_at is None:
        case.resolved_at = timezone.now()
    if not resolved:
        case.due_on = case_due_on(category=case.category, start=local_today())
    step_take(case, step, actor=actor, note=summary)
    return case


@transaction.atomic
def case_close(*, case: Case, actor) -> Case:
    """Close a case. Nothing is closed without the enterprise's confirmation or a recorded return visit."""
    step_check(case, CLOSE, actor=actor)
    confirmed = case.events.filter(action="confirmed").exists()
    visited = case.return_visits.filter(resolved=True).exists()
    if not (confirmed or visited):
        raise ValidationError({"status": _("企业尚未确认解决，且没有回访记录，不能办结")})
    case.closed_at = timezone.now()
    step_take(case, CLOSE, actor=actor)
    _notify(case, _("您的诉求已办结，请评价：%s") % case.title)
    return case


BAD_RATING = 2


@transaction.atomic
def case_rate(*, case: Case, score: int, comment: str, actor) -> Rating:
    """好差评. A bad rating (1–2) reopens the matter as a new work item for the department head."""
    step_check(case, RATE, actor=actor)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if score not in RatingScore.values:
        raise ValidationError({"score": _("请选择评价：非常满意、满意、基本满意、不满意或非常不满意")})
    if Rating.objects.filter(case=case).exists():
        raise ValidationError({"score": _("该诉求已评价")})
    if score <= BAD_RATING and not (comment or "").strip():
        raise ValidationError({"comment": _("差评请说明原因，以便重新办理")})
    rating = Rating.objects.create(case=case, score=score, comment=(comment or "").strip(), rated_by=actor)
    record(case, action="rated", actor=actor, note=f"{rating.get_score_display()} {rating.comment}".strip())
    if score <= BAD_RATING:
        follow_up = case_raise(
            enterprise=case.enterprise,
            category=case.category,
            kind=case.kind,
            title=_("【差评重办】%s") % case.title,
            description=_("企业评价“%(s)s”：%(c)s\n\n原诉求：%(d)s\n原答复：%(r)s")
            % {"s": rating.get_score_display(), "c": rating.comment, "d": case.description, "r": case.reply},
            policy=case.policy,
            application=case.application,
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
    today = today or local_today()
    reminded = escalated = 0
    limits = {t.category: t.remind_before for t in CategoryTimeLimit.objects.all()}
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES, due_on__isnull=False).select_related(
        "department"
    )
    for case in open_cases.iterator(chunk_size=500):
        if case.due_on < today and not case.escalated:
            with transaction.atomic():
                if Case.objects.filter(pk=case.pk, escalated=False).update(escalated=True):
                    record(case, action="escalated", actor=None, note=_("已超过办理期限%s") % case.due_on)
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
                        record(case, action="reminded", actor=None, note=_("办理期限%s将至") % case.due_on)
                        if case.assignee_id or case.department_id:
                            notify_department_heads(
                                case.department,
                                title=_("诉求即将到期：%s") % case.title,
                                link=reverse("appeals:staff_case", args=[case.pk]),
                                heads_only=False,
                            )
                        reminded += 1
    return {"reminded": reminded, "escalated": escalated}
