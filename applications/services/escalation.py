"""督办: open applications past their deadline are flagged once and their department's heads
are told (in-app, and one e-mail per department)."""

from __future__ import annotations

from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.links import absolute_url
from portal.workdays import workdays_between

from ..models import Application, ApplicationStatus, DepartmentHead
from ..notify import user_message_create
from .common import local_date, now_or
from .steps import event_record

S = ApplicationStatus


@transaction.atomic
def applications_escalate_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Flag open applications past their deadline and tell the department heads (督办).

    Idempotent: an application is escalated once (``escalated_at``); rows are claimed with
    a conditional UPDATE so that two beat runs cannot escalate the same one twice.
    """
    moment = now_or(now)
    today = local_date(moment)
    candidates = list(
        Application.objects.filter(
            status__in=[S.SUBMITTED, S.ACCEPTED], due_on__lt=today, escalated_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )
    escalated = 0
    by_department: dict[int, list[Application]] = {}
    for pk in candidates:
        claimed = Application.objects.filter(pk=pk, escalated_at__isnull=True).update(escalated_at=moment)
        if not claimed:
            continue
        application = Application.objects.select_related("policy").get(pk=pk)
        overdue = workdays_between(application.due_on, today)
        heads = list(
            DepartmentHead.objects.filter(department_id=application.department_id).select_related("user")
        )
        event_record(
            application,
            action="escalated",
            actor=None,
            from_status=application.status,
            comment=_("超过办理时限 %(days)s 个工作日，已督办至部门负责人") % {"days": overdue},
            data={"heads": [h.user_id for h in heads], "due_on": application.due_on},
            at=moment,
        )
        by_department.setdefault(application.department_id, []).append(application)
        for head in heads:
            user_message_create(
                user=head.user,
                key=f"app:{application.pk}:escalated:{head.user_id}",
                title=_("【督办】申报 %(reference)s 已超过办理时限") % {"reference": application.reference},
                body=_("%(policy)s：期限 %(due)s，已超 %(days)s 个工作日。")
                % {
                    "policy": application.policy.title,
                    "due": application.due_on.isoformat(),
                    "days": overdue,
                },
                url=reverse("applications:detail", args=[application.pk]),
            )
        escalated += 1
    for department_id, apps in by_department.items():
        emails = [
            h.user.email
            for h in DepartmentHead.objects.filter(department_id=department_id).select_related("user")
            if h.user.email
        ]
        if emails:
            lines = "\n".join(
                _("%(reference)s %(policy)s 期限 %(due)s")
                % {"reference": a.reference, "policy": a.policy.title, "due": a.due_on}
                for a in apps
            )
            subject = _("【督办】在线申报超过办理时限")
            body = _("以下申报已超过承诺办理时限，请督促办理：\n%(lines)s\n%(link)s") % {
                "lines": lines,
                "link": absolute_url("applications:review_queue"),
            }
            transaction.on_commit(
                lambda subject=subject, body=body, emails=emails: send_mail(
                    subject,
                    body,
                    None,
                    emails,
                    fail_silently=True,
                )
            )
    return escalated
