"""The status machines of a case and of an arrears case: one place decides who may take a
step, from which statuses, and records it as an event with who and when."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ArrearsCase, ArrearsEvent, Case, CaseEvent

OFFICIAL = "official"
ENTERPRISE = "enterprise"
ANYONE = "anyone"  # no check of the actor: whoever reaches the item (see its caller)


@dataclass(frozen=True)
class Step:
    """One step of a status machine. ``to=None`` records the step without moving the status;
    ``refusal`` replaces the generic message when the status does not allow the step, and
    ``denied`` the one for a user of another enterprise."""

    action: str
    allowed: tuple[str, ...]
    to: str | None
    by: str = OFFICIAL
    refusal: str = ""
    denied: str = ""


def local_today() -> dt.date:
    return timezone.localdate()


def number_make(prefix: str) -> str:
    return f"{prefix}{timezone.localtime():%Y%m%d}{secrets.randbelow(10**6):06d}"


def record(item: Case | ArrearsCase, *, action: str, actor, from_status: str = "", note: str = "") -> None:
    """The event log of a case (with the statuses and the department) or of an arrears case."""
    if isinstance(item, ArrearsCase):
        ArrearsEvent.objects.create(arrears=item, action=action, actor=actor, note=note)
        return
    CaseEvent.objects.create(
        case=item,
        action=action,
        from_status=from_status,
        to_status=item.status,
        actor=actor,
        department=item.department,
        note=note,
    )


def require_official_of(user, department) -> None:
    """``None`` is the system (tasks, the rating follow-up), which may act for any department."""
    if user is None:
        return
    if department is None or not user.is_official_of(department.pk):
        raise PermissionDenied(_("只有承办部门的工作人员可以办理该诉求"))


def step_check(item: Case | ArrearsCase, step: Step, *, actor) -> None:
    """The prologue of every step: the actor may take it, and the status allows it."""
    if step.by == OFFICIAL:
        require_official_of(actor, item.department)
    elif step.by == ENTERPRISE and getattr(actor, "enterprise_id", None) != item.enterprise_id:
        raise PermissionDenied(step.denied or _("只有提出诉求的企业可以进行此操作"))
    _status_check(item, step)


def _status_check(item: Case | ArrearsCase, step: Step) -> None:
    if item.status not in step.allowed:
        raise ValidationError(
            {"status": step.refusal or _("当前状态“%(s)s”不能执行该操作") % {"s": item.get_status_display()}}
        )


def step_take(item: Case | ArrearsCase, step: Step, *, actor, note: str = "") -> None:
    """Move the status (the actor was checked by ``step_check``), save, and record the step."""
    _status_check(item, step)
    previous = item.status
    if step.to is not None:
        item.status = step.to
    item.save()
    record(item, action=step.action, actor=actor, from_status=previous, note=note)
