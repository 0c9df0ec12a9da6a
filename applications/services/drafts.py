"""暂存 (save-draft) of an online application: the enterprise keeps what it typed and submits
later. A draft is not an application: it lives in ``ApplicationDraft``, which nothing that
reviews, counts, escalates, pays or lists applications reads. Submitting goes through
``application_submit`` (every check again, the policy's window on the day of submission
included), then the draft is deleted."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..access import user_enterprise_id
from ..models import Application, ApplicationDraft
from .applications import applicable_errors, application_submit

MAX_VALUE = 200  # characters kept of one typed value


def draft_for(*, policy, enterprise) -> ApplicationDraft | None:
    return ApplicationDraft.objects.filter(policy=policy, enterprise=enterprise).first()


@transaction.atomic
def draft_save(
    *, policy, enterprise, user, declared: dict[str, Any], amount_requested: str = ""
) -> ApplicationDraft:
    """Keep the typed values as they are (nothing is required yet); refuse only what could never
    become an application: another enterprise, an unpublished or 免申即享 policy, an amount that
    is not a number, or a policy this enterprise has already applied for."""
    errors = applicable_errors(policy=policy, enterprise=enterprise, user=user)
    amount = (amount_requested or "").strip()
    if amount:
        try:
            value = Decimal(amount.replace(",", ""))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            errors.setdefault("amount_requested", []).append(_("申请金额应为不小于 0 的数字"))
    if errors:
        raise ValidationError(errors)
    kept = {str(k)[:64]: str(v or "").strip()[:MAX_VALUE] for k, v in declared.items()}
    draft, _created = ApplicationDraft.objects.update_or_create(
        policy=policy,
        enterprise=enterprise,
        defaults={"declared": kept, "amount_requested": amount[:32], "saved_by": user},
    )
    return draft


def draft_discard(*, policy, enterprise, user) -> int:
    if user_enterprise_id(user) != enterprise.pk:
        raise PermissionDenied(_("只有本企业已核验的用户可以申报"))
    deleted, _detail = ApplicationDraft.objects.filter(policy=policy, enterprise=enterprise).delete()
    return deleted


@transaction.atomic
def draft_submit(**submit_kwargs) -> Application:
    """``application_submit`` with the same arguments; on success the enterprise's draft for
    the policy is gone (on a refusal it stays, and nothing else is written)."""
    application = application_submit(**submit_kwargs)
    ApplicationDraft.objects.filter(policy=application.policy, enterprise=application.enterprise).delete()
    return application
