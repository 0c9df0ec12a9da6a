"""The steps of an application: one place locks the row, decides who may take a step and from
which statuses, moves the status, writes the append-only event and pushes the enterprise."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.workdays import workdays_between

from ..access import user_can_review_application, user_enterprise_id
from ..models import Application, ApplicationEvent
from ..notify import enterprise_message_create
from ..prefill import jsonable

REVIEWER = "reviewer"  # an official of the policy's department
ENTERPRISE = "enterprise"  # a user of the applying enterprise


def event_record(
    application: Application, *, action: str, actor, from_status: str, comment: str = "", data=None, at
) -> None:
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=application.status,
        comment=comment,
        data=jsonable(data or {}),
        at=at,
    )


def enterprise_push(application: Application, *, step: str, title: str, body: str = "", at: datetime) -> None:
    enterprise_message_create(
        enterprise_id=application.enterprise_id,
        key=f"app:{application.pk}:{step}:{at.timestamp():.6f}",
        title=title,
        body=body,
        url=reverse("applications:detail", args=[application.pk]),
    )


def step_begin(
    application: Application, *, actor, allowed: tuple[str, ...], doing: str, by: str = REVIEWER
) -> Application:
    """The prologue of every step: the row locked and read afresh, the actor allowed (``by``),
    the status one of ``allowed``; ``doing`` names the step in the refusal."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if by == REVIEWER and not user_can_review_application(actor, application):
        raise PermissionDenied(_("只有政策所属部门的工作人员可以审核"))
    if by == ENTERPRISE and user_enterprise_id(actor) != application.enterprise_id:
        raise PermissionDenied(_("只有本企业的用户可以%(action)s") % {"action": doing})
    if application.status not in allowed:
        raise ValidationError(
            {
                "status": [
                    _("当前状态“%(status)s”不能%(action)s")
                    % {"status": application.get_status_display(), "action": doing}
                ]
            }
        )
    return application


def step_finish(
    application: Application,
    *,
    to: str,
    action: str,
    actor,
    at: datetime,
    comment: str = "",
    data=None,
    push_title: str = "",
    push_body: str = "",
) -> None:
    """Move to ``to``, save what the step changed, record the event and (with ``push_title``)
    tell the enterprise."""
    previous = application.status
    application.status = to
    application.save()
    event_record(
        application, action=action, actor=actor, from_status=previous, comment=comment, data=data, at=at
    )
    if push_title:
        enterprise_push(application, step=action, title=push_title, body=push_body, at=at)


def used_days(application: Application, today) -> int:
    used = application.days_used_before
    if application.clock_started_on:
        used += workdays_between(application.clock_started_on, today)
    return used


def clock_stop(application: Application, today, moment: datetime) -> None:
    """A decision or a withdrawal stops the clock for good."""
    application.working_days_taken = used_days(application, today)
    application.clock_started_on = None
    application.decided_at = moment


def required_text(value: str, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value
