"""Writes of the enterprise portal (keyword-only, typed, atomic)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise

from .models import CORRECTABLE_FIELDS, CalculatorAnswers, CorrectionRequest, PortalVisit

VISIT_GAP = datetime.timedelta(minutes=30)
VISIT_TOUCH = datetime.timedelta(minutes=5)  # a reload within this needs no write


@transaction.atomic
def correction_request_create(
    *,
    enterprise: Enterprise,
    user: Any,
    field: str,
    proposed_value: str,
    reason: str,
    current_value: str = "",
) -> CorrectionRequest:
    """File a request to correct the registry profile; an official handles it in the admin.
    The profile itself is not changed here."""
    errors = {}
    if field not in CORRECTABLE_FIELDS:
        errors["field"] = "请选择要更正的项目"
    if not (proposed_value or "").strip():
        errors["proposed_value"] = "请填写应更正为的内容"
    if len((reason or "").strip()) < 4:
        errors["reason"] = "请说明更正理由及依据（至少4个字）"
    if getattr(user, "enterprise_id", None) != enterprise.pk:
        errors["enterprise"] = "只能为本企业申请更正"
    if errors:
        raise ValidationError(errors)
    return CorrectionRequest.objects.create(
        enterprise=enterprise,
        requested_by=user,
        field=field,
        current_value=(current_value or "")[:300],
        proposed_value=proposed_value.strip()[:300],
        reason=reason.strip(),
    )


@transaction.atomic
def portal_visit_record(*, user: Any, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Record a look at "我的政策" and return the time of the previous visit (what counts as
    "new since the last visit"). Within one visit (reloads less than ``VISIT_GAP`` apart)
    the returned time stays the same."""
    now = now or timezone.now()
    visit = PortalVisit.objects.filter(user=user).first()
    if visit is None:
        PortalVisit.objects.get_or_create(user=user, defaults={"previous_at": None, "last_at": now})
        return None
    if now - visit.last_at > VISIT_GAP:
        # A new visit: what was "last" becomes "previous" (conditional, so two tabs agree).
        PortalVisit.objects.filter(pk=visit.pk, last_at=visit.last_at).update(
            previous_at=visit.last_at, last_at=now
        )
        return visit.last_at
    if now - visit.last_at > VISIT_TOUCH:
        PortalVisit.objects.filter(pk=visit.pk).update(last_at=now)
    return visit.previous_at


def calculator_answers_keep(*, profile: dict[str, Any], inputs_answered: int) -> CalculatorAnswers:
    """Keep a screener's answers under a new unguessable token (128 bits) for its results link."""
    return CalculatorAnswers.objects.create(
        token=secrets.token_urlsafe(16), profile=profile, inputs_answered=inputs_answered
    )
