"""万人助万企: assignments of officials to enterprises, reassignment, and the visit log."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import CaseSource
from appeals.services import case_raise

from .models import Assignment, AssignmentRole, Visit


def _require_official(user) -> None:
    if user is None or not user.is_official:
        raise PermissionDenied(_("只有工作人员可以执行此操作"))


@transaction.atomic
def assignment_create(*, enterprise, official, role: str = AssignmentRole.LEAD, actor=None) -> Assignment:
    if not official.is_official:
        raise ValidationError({"official": _("包联干部须为政府部门工作人员")})
    if role == AssignmentRole.LEAD:
        current = Assignment.objects.filter(
            enterprise=enterprise, role=AssignmentRole.LEAD, active=True
        ).first()
        if current and current.official_id != official.pk:
            raise ValidationError({"official": _("该企业已有包联责任人：%s") % current.official})
    try:
        with transaction.atomic():
            return Assignment.objects.create(enterprise=enterprise, official=official, role=role)
    except IntegrityError:
        raise ValidationError({"official": _("该干部已包联此企业")}) from None


@transaction.atomic
def assignments_reassign(*, from_official, to_official, reason: str, actor=None) -> int:
    """An official leaves: every active assignment moves to another official, history kept."""
    if not to_official.is_official or not to_official.is_active:
        raise ValidationError({"to_official": _("接替人须为在岗的工作人员")})
    if from_official.pk == to_official.pk:
        raise ValidationError({"to_official": _("接替人不能是同一人")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请说明调整原因")})
    moved = 0
    today = timezone.localdate()
    for old in Assignment.objects.select_for_update().filter(official=from_official, active=True):
        old.active = False
        old.ended_on = today
        old.end_reason = reason
        old.save(update_fields=["active", "ended_on", "end_reason"])
        existing = Assignment.objects.filter(
            enterprise_id=old.enterprise_id, official=to_official, active=True
        ).first()
        if existing:
            if old.role == AssignmentRole.LEAD and existing.role != AssignmentRole.LEAD:
                existing.role = AssignmentRole.LEAD
                existing.save(update_fields=["role"])
        else:
            Assignment.objects.create(enterprise_id=old.enterprise_id, official=to_official, role=old.role)
        moved += 1
    return moved


@transaction.atomic
def visit_record(
    *,
    enterprise,
    visited_on: dt.date,
    officials: list,
    discussed: str,
    actor,
    problems: list[dict] | None = None,
) -> Visit:
    """Log a visit (上门服务). Each problem found becomes a case in the common ledger."""
    _require_official(actor)
    errors = {}
    if not (discussed or "").strip():
        errors["discussed"] = _("请填写交流内容")
    if visited_on > timezone.localdate():
        errors["visited_on"] = _("走访日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        enterprise=enterprise, visited_on=visited_on, discussed=discussed.strip(), recorded_by=actor
    )
    visit.officials.set(set(officials) | {actor})
    for i, problem in enumerate(problems or []):
        try:
            case = case_raise(
                enterprise=enterprise,
                category=problem.get("category", ""),
                title=problem.get("title", ""),
                description=problem.get("description", ""),
                source=CaseSource.VISIT,
                logged_by=actor,
            )
        except ValidationError as exc:
            raise ValidationError({f"problems[{i}].{k}": v for k, v in exc.message_dict.items()}) from None
        visit.cases.add(case)
    return visit
