"""An official's review of an application: accept, return for correction, approve with an
amount (the grant enters the ledger), reject. Each is a step (``steps.step_begin`` /
``steps.step_finish``) by an official of the policy's department."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.web.templatetags.web_tags import money_text

from ..models import Application, ApplicationStatus, GrantSource
from .common import local_date, now_or
from .grants import grant_enter, grant_event, grant_push_account_request
from .steps import clock_stop, required_text, step_begin, step_finish, used_days

S = ApplicationStatus
UNDECIDED = (S.SUBMITTED, S.ACCEPTED)


@transaction.atomic
def application_accept(*, application: Application, actor, now: datetime | None = None) -> Application:
    moment = now_or(now)
    application = step_begin(application, actor=actor, allowed=(S.SUBMITTED,), doing=_("受理"))
    step_finish(
        application,
        to=S.ACCEPTED,
        action="accepted",
        actor=actor,
        at=moment,
        push_title=_("申报已受理：%(policy)s") % {"policy": application.policy.title},
    )
    return application


@dataclass(frozen=True)
class _Decision:
    """A reviewer's step that needs written reasons (shown to the enterprise)."""

    action: str
    to: str
    doing: str
    missing: str  # the refusal when no reasons are given
    title: str  # %(policy)s
    body: str  # %(reasons)s
    final: bool  # stops the clock for good; else it pauses until the enterprise resubmits


RETURN = _Decision(
    "returned",
    S.RETURNED,
    gettext_lazy("退回补正"),
    gettext_lazy("请填写退回补正的原因"),
    gettext_lazy("申报需补正：%(policy)s"),
    gettext_lazy("补正意见：%(reasons)s"),
    final=False,
)
REJECT = _Decision(
    "rejected",
    S.REJECTED,
    gettext_lazy("审核不通过"),
    gettext_lazy("请填写不予通过的理由"),
    gettext_lazy("申报未通过：%(policy)s"),
    gettext_lazy("理由：%(reasons)s"),
    final=True,
)


def _decide(application: Application, decision: _Decision, *, actor, reasons: str, now) -> Application:
    moment = now_or(now)
    today = local_date(moment)
    application = step_begin(application, actor=actor, allowed=UNDECIDED, doing=str(decision.doing))
    reasons = required_text(reasons, field="reasons", message=str(decision.missing))
    if decision.final:
        clock_stop(application, today, moment)
    else:
        application.days_used_before = used_days(application, today)
        application.clock_started_on = None
        application.due_on = None
    application.reasons = reasons
    step_finish(
        application,
        to=decision.to,
        action=decision.action,
        actor=actor,
        at=moment,
        comment=reasons,
        push_title=decision.title % {"policy": application.policy.title},
        push_body=decision.body % {"reasons": reasons},
    )
    return application


@transaction.atomic
def application_return(
    *, application: Application, actor, reasons: str, now: datetime | None = None
) -> Application:
    """Return for correction: the clock pauses until the enterprise resubmits."""
    return _decide(application, RETURN, actor=actor, reasons=reasons, now=now)


@transaction.atomic
def application_approve(
    *,
    application: Application,
    actor,
    amount: Decimal,
    comment: str = "",
    period: str | None = None,
    now: datetime | None = None,
) -> Application:
    """Approve with an amount: the grant enters the ledger (awaiting the enterprise's account)."""
    moment = now_or(now)
    today = local_date(moment)
    application = step_begin(application, actor=actor, allowed=UNDECIDED, doing=_("审核通过"))
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError) as exc:
        raise ValidationError({"amount": [_("核定金额应为数字")]}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": [_("核定金额应大于 0")]})
    clock_stop(application, today, moment)
    application.amount_approved = amount.quantize(Decimal("0.01"))
    application.reasons = comment
    policy = application.policy
    step_finish(
        application,
        to=S.APPROVED,
        action="approved",
        actor=actor,
        at=moment,
        comment=comment,
        data={
            "amount": application.amount_approved,
            "within_limit": application.working_days_taken <= application.processing_days,
        },
        push_title=_("申报已通过：%(policy)s") % {"policy": policy.title},
        push_body=_("核定金额 %(amount)s。请确认收款账户。")
        % {"amount": money_text(application.amount_approved)},
    )
    grant = grant_enter(
        policy=policy,
        department_id=application.department_id,
        enterprise=application.enterprise,
        period=period or str(today.year),
        exclusive_group=policy.exclusive_group,
        source=GrantSource.APPLICATION,
        amount=application.amount_approved,
        eligible_since=application.submitted_at,
        at=moment,
        application=application,
    )
    if grant is None:  # the transaction rolls back the step with the refusal
        raise ValidationError(
            {"amount": [_("该企业本期已享受本政策或同一“从高不重复”组的政策，不能重复兑现")]}
        )
    grant_event(
        grant,
        action="granted",
        actor=actor,
        comment=_("申报 %(reference)s 审核通过") % {"reference": application.reference},
        at=moment,
    )
    grant_push_account_request(grant, at=moment)
    return application


@transaction.atomic
def application_reject(
    *, application: Application, actor, reasons: str, now: datetime | None = None
) -> Application:
    return _decide(application, REJECT, actor=actor, reasons=reasons, now=now)
