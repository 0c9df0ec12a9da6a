"""The enterprise's side of an online application: submit, resubmit after a return for
correction, withdraw. Every step is written to the append-only event log and pushed to the
enterprise's in-app inbox in the same transaction (``steps``); the review is in ``review``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from policies.models import WINDOW_ENDED, WINDOW_UPCOMING
from portal.workdays import add_workdays

from ..access import user_enterprise_id
from ..models import Application, ApplicationFile, ApplicationStatus
from ..prefill import application_prefill
from ..uploads import upload_check
from .common import local_date, make_reference, now_or
from .steps import ENTERPRISE, clock_stop, enterprise_push, event_record, step_begin, step_finish

S = ApplicationStatus


def _attach_files(application: Application, *, files: list[tuple[int | None, UploadedFile]], user) -> None:
    count = application.files.count()
    for material_id, upload in files:
        checked = upload_check(upload, existing_count=count)
        ApplicationFile.objects.create(
            application=application,
            material_id=material_id,
            file=upload,
            original_name=checked.original_name,
            kind=checked.kind,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=user,
        )
        count += 1


def _check_files(files: list[tuple[int | None, UploadedFile]], errors: dict[str, list[str]]) -> None:
    for index, (material_id, upload) in enumerate(files):
        try:
            upload_check(upload, existing_count=index)
        except ValidationError as exc:
            errors.setdefault(f"material_{material_id or 'other'}", []).extend(exc.messages)


def _clean_declared(prefill, declared: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The enterprise supplies exactly the fields the registry lacks; numbers must be numbers."""
    cleaned: dict[str, Any] = {}
    for item in prefill.missing:
        raw = str(declared.get(item.field, "") or "").strip()
        if not raw:
            errors.setdefault(item.input_name, []).append(_("请填写“%(label)s”") % {"label": item.label})
            continue
        if item.kind == "indicator" and item.indicator_type in ("number", "money", "percent", "flag"):
            try:
                value = Decimal(raw.replace(",", ""))
            except InvalidOperation:
                errors.setdefault(item.input_name, []).append(
                    _("“%(label)s”应为数字") % {"label": item.label}
                )
                continue
            if not value.is_finite() or value < 0:
                errors.setdefault(item.input_name, []).append(
                    _("“%(label)s”应为不小于 0 的数字") % {"label": item.label}
                )
                continue
            cleaned[item.field] = str(value)
        elif item.field == "registered_capital":
            try:
                cleaned[item.field] = str(Decimal(raw.replace(",", "")))
            except InvalidOperation:
                errors.setdefault(item.input_name, []).append(
                    _("“%(label)s”应为数字") % {"label": item.label}
                )
        else:
            cleaned[item.field] = raw[:200]
    for key in ("contact_name", "contact_phone"):
        value = str(declared.get(key, "") or "").strip()[:50]
        if not value:
            errors.setdefault(key, []).append(
                _("请填写联系人") if key == "contact_name" else _("请填写联系电话")
            )
        cleaned[key] = value
    return cleaned


def _required_materials_missing(policy, files, existing_material_ids: set[int]) -> list[str]:
    given = {mid for mid, _ in files if mid} | existing_material_ids
    return [
        m.name for m in policy.materials.all() if m.required and not m.from_shared_data and m.pk not in given
    ]


def applicable_errors(*, policy, enterprise, user) -> dict[str, list[str]]:
    """What stops this enterprise from applying for this policy at all, whatever it types or
    when: not its user, a policy not published or 免申即享, an application already live. The one
    rule for ``application_submit`` and ``drafts.draft_save`` (the window is checked on submit)."""
    if user_enterprise_id(user) != enterprise.pk:
        raise PermissionDenied(_("只有本企业已核验的用户可以申报"))
    errors: dict[str, list[str]] = {}
    if policy.status != "published":
        errors.setdefault("policy", []).append(_("该政策当前未发布，不能申报"))
    if policy.auto_grant:
        errors.setdefault("policy", []).append(_("该政策为免申即享，无需申报，符合条件的企业将自动兑现"))
    if Application.objects.filter(
        policy=policy, enterprise=enterprise, status__in=[S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.APPROVED]
    ).exists():
        errors.setdefault("policy", []).append(_("本企业已有该政策的申报，请勿重复提交"))
    return errors


@transaction.atomic
def application_submit(
    *,
    policy,
    enterprise,
    applicant,
    declared: dict[str, Any],
    files: list[tuple[int | None, UploadedFile]],
    amount_requested: Decimal | None = None,
    now: datetime | None = None,
) -> Application:
    """Submit an application. Raises ValidationError keyed by field (nothing is written)."""
    moment = now_or(now)
    today = local_date(moment)
    errors = applicable_errors(policy=policy, enterprise=enterprise, user=applicant)
    window = policy.window(today)
    if window == WINDOW_UPCOMING:
        errors.setdefault("policy", []).append(
            _("申报尚未开始(开始日期 %(date)s)") % {"date": policy.apply_start.isoformat()}
        )
    elif window == WINDOW_ENDED:
        errors.setdefault("policy", []).append(
            _("申报已截止(截止日期 %(date)s)") % {"date": policy.apply_end.isoformat()}
        )
    prefill = application_prefill(policy=policy, enterprise=enterprise)
    cleaned = _clean_declared(prefill, declared, errors)
    if amount_requested is not None and amount_requested < 0:
        errors.setdefault("amount_requested", []).append(_("申请金额不能为负数"))
    missing_materials = _required_materials_missing(policy, files, set())
    if missing_materials:
        errors.setdefault("materials", []).append(
            _("缺少必需材料：%(names)s") % {"names": "、".join(missing_materials)}
        )
    _check_files(files, errors)
    if errors:
        raise ValidationError(errors)

    application = Application(
        reference=make_reference("SB", moment),
        policy=policy,
        department_id=policy.department_id,
        enterprise=enterprise,
        applicant=applicant,
        status=S.SUBMITTED,
        prefilled=prefill.snapshot(),
        declared=cleaned,
        amount_requested=amount_requested,
        processing_days=policy.processing_days,
        clock_started_on=today,
        due_on=add_workdays(today, policy.processing_days),
        submitted_at=moment,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise ValidationError({"policy": [_("本企业已有该政策的申报，请勿重复提交")]}) from exc
    _attach_files(application, files=files, user=applicant)
    event_record(application, action="submitted", actor=applicant, from_status="", at=moment)
    enterprise_push(
        application,
        step="submitted",
        title=_("申报已提交：%(policy)s") % {"policy": policy.title},
        body=_("申报编号 %(reference)s，承诺 %(days)s 个工作日内办结(期限 %(due)s)。")
        % {
            "reference": application.reference,
            "days": policy.processing_days,
            "due": application.due_on.isoformat(),
        },
        at=moment,
    )
    return application


@transaction.atomic
def application_resubmit(
    *,
    application: Application,
    actor,
    declared: dict[str, Any],
    files: list[tuple[int | None, UploadedFile]],
    comment: str = "",
    now: datetime | None = None,
) -> Application:
    moment = now_or(now)
    today = local_date(moment)
    application = step_begin(
        application, actor=actor, allowed=(S.RETURNED,), doing=_("补正提交"), by=ENTERPRISE
    )
    errors: dict[str, list[str]] = {}
    # Corrections may change any declared value; unchanged ones are kept.
    merged = {**application.declared, **{k: v for k, v in declared.items() if str(v or "").strip()}}
    prefill = application_prefill(policy=application.policy, enterprise=application.enterprise)
    cleaned = _clean_declared(prefill, merged, errors)
    for key, value in merged.items():
        cleaned.setdefault(key, value)
    _check_files(files, errors)
    if errors:
        raise ValidationError(errors)
    _attach_files(application, files=files, user=actor)
    remaining = max(application.processing_days - application.days_used_before, 0)
    application.declared = cleaned
    application.clock_started_on = today
    application.due_on = add_workdays(today, remaining)
    step_finish(
        application,
        to=S.SUBMITTED,
        action="resubmitted",
        actor=actor,
        at=moment,
        comment=comment,
        data={"files_added": len(files)},
        push_title=_("补正材料已提交：%(policy)s") % {"policy": application.policy.title},
        push_body=_("剩余办理时限 %(days)s 个工作日(期限 %(due)s)。")
        % {"days": remaining, "due": application.due_on.isoformat()},
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor, now: datetime | None = None) -> Application:
    moment = now_or(now)
    today = local_date(moment)
    application = step_begin(
        application,
        actor=actor,
        allowed=(S.SUBMITTED, S.ACCEPTED, S.RETURNED),
        doing=_("撤回申报"),
        by=ENTERPRISE,
    )
    clock_stop(application, today, moment)
    step_finish(application, to=S.WITHDRAWN, action="withdrawn", actor=actor, at=moment)
    return application
