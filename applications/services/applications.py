"""Online applications: submit, accept, return for correction, resubmit, approve, reject,
escalate when overdue. Every step is written to the append-only event log and pushed to
the enterprise's in-app inbox in the same transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from policies.models import WINDOW_ENDED, WINDOW_UPCOMING
from portal.links import absolute_url
from portal.workdays import add_workdays, workdays_between

from ..access import user_can_review_application, user_enterprise_id
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationStatus,
    DepartmentHead,
    GrantSource,
)
from ..notify import enterprise_message_create, user_message_create
from ..prefill import application_prefill, jsonable
from ..uploads import upload_check
from .common import local_date, make_reference, now_or
from .grants import grant_enter, grant_event, grant_push_account_request

S = ApplicationStatus


def _event(
    application: Application, *, action: str, actor, from_status: str, comment: str = "", data=None, at
):
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


def _push(application: Application, *, step: str, title: str, body: str = "", at: datetime) -> None:
    enterprise_message_create(
        enterprise_id=application.enterprise_id,
        key=f"app:{application.pk}:{step}:{at.timestamp():.6f}",
        title=title,
        body=body,
        url=reverse("applications:detail", args=[application.pk]),
    )


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


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
    if user_enterprise_id(applicant) != enterprise.pk:
        raise PermissionDenied("只有本企业已核验的用户可以申报")
    errors: dict[str, list[str]] = {}
    if policy.status != "published":
        errors.setdefault("policy", []).append(_("该政策当前未发布，不能申报"))
    if policy.auto_grant:
        errors.setdefault("policy", []).append(_("该政策为免申即享，无需申报，符合条件的企业将自动兑现"))
    window = policy.window(today)
    if window == WINDOW_UPCOMING:
        errors.setdefault("policy", []).append(
            _("申报尚未开始(开始日期 %(date)s)") % {"date": policy.apply_start.isoformat()}
        )
    elif window == WINDOW_ENDED:
        errors.setdefault("policy", []).append(
            _("申报已截止(截止日期 %(date)s)") % {"date": policy.apply_end.isoformat()}
        )
    if Application.objects.filter(
        policy=policy, enterprise=enterprise, status__in=[S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.APPROVED]
    ).exists():
        errors.setdefault("policy", []).append(_("本企业已有该政策的申报，请勿重复提交"))
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
    _event(application, action="submitted", actor=applicant, from_status="", at=moment)
    _push(
        application,
        step="submitted",
        title=f"申报已提交：{policy.title}",
        body=f"申报编号 {application.reference}，承诺 {policy.processing_days} 个工作日内办结"
        f"(期限 {application.due_on.isoformat()})。",
        at=moment,
    )
    return application


def _require_reviewer(application: Application, actor) -> None:
    if not user_can_review_application(actor, application):
        raise PermissionDenied("只有政策所属部门的工作人员可以审核")


def _require_status(application: Application, allowed: tuple[str, ...], action: str) -> None:
    if application.status not in allowed:
        raise ValidationError(
            {
                "status": [
                    _("当前状态“%(status)s”不能%(action)s")
                    % {"status": application.get_status_display(), "action": action}
                ]
            }
        )


def _used_days(application: Application, today) -> int:
    used = application.days_used_before
    if application.clock_started_on:
        used += workdays_between(application.clock_started_on, today)
    return used


@transaction.atomic
def application_accept(*, application: Application, actor, now: datetime | None = None) -> Application:
    moment = now_or(now)
    application = _lock(application)
    _require_reviewer(application, actor)
    _require_status(application, (S.SUBMITTED,), _("受理"))
    application.status = S.ACCEPTED
    application.save(update_fields=["status", "updated_at"])
    _event(application, action="accepted", actor=actor, from_status=S.SUBMITTED, at=moment)
    _push(application, step="accepted", title=f"申报已受理：{application.policy.title}", at=moment)
    return application


@transaction.atomic
def application_return(
    *, application: Application, actor, reasons: str, now: datetime | None = None
) -> Application:
    """Return for correction: the clock pauses until the enterprise resubmits."""
    moment = now_or(now)
    today = local_date(moment)
    application = _lock(application)
    _require_reviewer(application, actor)
    _require_status(application, (S.SUBMITTED, S.ACCEPTED), _("退回补正"))
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": [_("请填写退回补正的原因")]})
    previous = application.status
    application.days_used_before = _used_days(application, today)
    application.clock_started_on = None
    application.due_on = None
    application.status = S.RETURNED
    application.reasons = reasons
    application.save()
    _event(application, action="returned", actor=actor, from_status=previous, comment=reasons, at=moment)
    _push(
        application,
        step="returned",
        title=f"申报需补正：{application.policy.title}",
        body=f"补正意见：{reasons}",
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
    application = _lock(application)
    if user_enterprise_id(actor) != application.enterprise_id:
        raise PermissionDenied("只有本企业的用户可以补正")
    _require_status(application, (S.RETURNED,), _("补正提交"))
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
    application.status = S.SUBMITTED
    application.clock_started_on = today
    application.due_on = add_workdays(today, remaining)
    application.save()
    _event(
        application,
        action="resubmitted",
        actor=actor,
        from_status=S.RETURNED,
        comment=comment,
        data={"files_added": len(files)},
        at=moment,
    )
    _push(
        application,
        step="resubmitted",
        title=f"补正材料已提交：{application.policy.title}",
        body=f"剩余办理时限 {remaining} 个工作日(期限 {application.due_on.isoformat()})。",
        at=moment,
    )
    return application


def _close(application: Application, today, moment) -> None:
    application.working_days_taken = _used_days(application, today)
    application.clock_started_on = None
    application.decided_at = moment


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
    application = _lock(application)
    _require_reviewer(application, actor)
    _require_status(application, (S.SUBMITTED, S.ACCEPTED), _("审核通过"))
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError) as exc:
        raise ValidationError({"amount": [_("核定金额应为数字")]}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": [_("核定金额应大于 0")]})
    previous = application.status
    _close(application, today, moment)
    application.status = S.APPROVED
    application.amount_approved = amount.quantize(Decimal("0.01"))
    application.reasons = comment
    application.save()
    policy = application.policy
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
    if grant is None:
        raise ValidationError(
            {"amount": [_("该企业本期已享受本政策或同一“从高不重复”组的政策，不能重复兑现")]}
        )
    _event(
        application,
        action="approved",
        actor=actor,
        from_status=previous,
        comment=comment,
        data={
            "amount": application.amount_approved,
            "within_limit": application.working_days_taken <= application.processing_days,
        },
        at=moment,
    )

    grant_event(
        grant, action="granted", actor=actor, comment=f"申报 {application.reference} 审核通过", at=moment
    )
    _push(
        application,
        step="approved",
        title=f"申报已通过：{policy.title}",
        body=f"核定金额 {application.amount_approved} 元。请确认收款账户。",
        at=moment,
    )
    grant_push_account_request(grant, at=moment)
    return application


@transaction.atomic
def application_reject(
    *, application: Application, actor, reasons: str, now: datetime | None = None
) -> Application:
    moment = now_or(now)
    today = local_date(moment)
    application = _lock(application)
    _require_reviewer(application, actor)
    _require_status(application, (S.SUBMITTED, S.ACCEPTED), _("审核不通过"))
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": [_("请填写不予通过的理由")]})
    previous = application.status
    _close(application, today, moment)
    application.status = S.REJECTED
    application.reasons = reasons
    application.save()
    _event(application, action="rejected", actor=actor, from_status=previous, comment=reasons, at=moment)
    _push(
        application,
        step="rejected",
        title=f"申报未通过：{application.policy.title}",
        body=f"理由：{reasons}",
        at=moment,
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor, now: datetime | None = None) -> Application:
    moment = now_or(now)
    today = local_date(moment)
    application = _lock(application)
    if user_enterprise_id(actor) != application.enterprise_id:
        raise PermissionDenied("只有本企业的用户可以撤回申报")
    _require_status(application, (S.SUBMITTED, S.ACCEPTED, S.RETURNED), _("撤回"))
    previous = application.status
    _close(application, today, moment)
    application.status = S.WITHDRAWN
    application.save()
    _event(application, action="withdrawn", actor=actor, from_status=previous, at=moment)
    return application


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
        _event(
            application,
            action="escalated",
            actor=None,
            from_status=application.status,
            comment=f"超过办理时限 {overdue} 个工作日，已督办至部门负责人",
            data={"heads": [h.user_id for h in heads], "due_on": application.due_on},
            at=moment,
        )
        by_department.setdefault(application.department_id, []).append(application)
        for head in heads:
            user_message_create(
                user=head.user,
                key=f"app:{application.pk}:escalated:{head.user_id}",
                title=f"【督办】申报 {application.reference} 已超过办理时限",
                body=f"{application.policy.title}：期限 {application.due_on.isoformat()}，已超 {overdue} 个工作日。",
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
            lines = "\n".join(f"{a.reference} {a.policy.title} 期限 {a.due_on}" for a in apps)
            transaction.on_commit(
                lambda lines=lines, emails=emails: send_mail(
                    "【督办】在线申报超过办理时限",
                    f"以下申报已超过承诺办理时限，请督促办理：\n{lines}\n{absolute_url('applications:review_queue')}",
                    None,
                    emails,
                    fail_silently=True,
                )
            )
    return escalated
