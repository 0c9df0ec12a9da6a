"""免申即享 after 一键确认: 信息公示 (the confirmed list is public for a notice period), 异议处置
(anyone may object to an entry; officials decide), 纠错救济 (an enterprise left out reports
应享未享 with evidence; an enterprise paid the wrong amount says so at 到账确认).

The one rule of when a 免申即享 grant may be paid lives here (``payment_blocks``): not while its
batch is on notice, and not while an objection to the batch is open. ``payments`` refuses
instructions with it and the pages show its reasons.

The notice period is ``settings.AUTOGRANT_NOTICE_WORKDAYS`` working days (``portal.workdays``,
the State Council's holiday schedule) after the day of confirmation; 0 publishes nothing and
blocks nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from policies.models import Policy
from portal.accounts.recovery import rate_limit_hit
from portal.audittrail.context import acting
from portal.workdays import add_workdays

from ..access import user_enterprise_id, user_is_official_of
from ..models import (
    Grant,
    GrantBatch,
    GrantObjection,
    GrantSource,
    GrantStatus,
    ObjectionFile,
    ObjectionKind,
    ObjectionStatus,
)
from ..notify import enterprise_message_create
from ..uploads import upload_check
from .common import local_date, make_reference, now_or
from .grants import grant_enter, grant_event, grant_push_account_request

REASON_MIN = 10
REASON_MAX = 2000
MAX_EVIDENCE_FILES = 5
_PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PERIOD = re.compile(r"^\d{4}(-\d{2})?$")


def notice_workdays() -> int:
    return max(0, int(getattr(settings, "AUTOGRANT_NOTICE_WORKDAYS", 5)))


def notice_until_for(confirmed_on: date, workdays: int | None = None) -> date | None:
    """The last day of the notice of a batch confirmed on ``confirmed_on`` (None: no notice)."""
    workdays = notice_workdays() if workdays is None else workdays
    return add_workdays(confirmed_on, workdays) if workdays > 0 else None


def batch_on_notice(batch: GrantBatch, *, today: date) -> bool:
    return batch.notice_until is not None and today <= batch.notice_until


def payment_blocks(grants: Iterable[Grant], *, today: date) -> dict[int, str]:
    """Why each of ``grants`` may not be paid yet (grant id → reason; absent = no block): its
    batch is still on notice, or an objection to its batch (or to the grant) is open. Two
    queries whatever the number of grants."""
    grants = list(grants)
    batch_of = dict(
        Grant.objects.filter(pk__in=[g.pk for g in grants], proposal__batch__isnull=False).values_list(
            "pk", "proposal__batch_id"
        )
    )
    batches = {
        b.pk: b
        for b in GrantBatch.objects.filter(pk__in=set(batch_of.values())).annotate(
            open_objections=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN))
        )
    }
    open_on_grant = set(
        GrantObjection.objects.filter(
            grant_id__in=[g.pk for g in grants], status=ObjectionStatus.OPEN, kind=ObjectionKind.OBJECTION
        ).values_list("grant_id", flat=True)
    )
    blocks: dict[int, str] = {}
    for grant in grants:
        batch = batches.get(batch_of.get(grant.pk))
        if batch is not None and batch_on_notice(batch, today=today):
            blocks[grant.pk] = _("公示期至 %(date)s，期满后方可拨付") % {
                "date": batch.notice_until.isoformat()
            }
        elif (batch is not None and batch.open_objections) or grant.pk in open_on_grant:
            blocks[grant.pk] = _("公示异议尚未处理完毕，处理后方可拨付")
    return blocks


# --- the public list ------------------------------------------------------------------


def public_batches(*, today: date, recent_days: int = 90):
    """Batches whose list was published: on notice now, or whose notice ended within
    ``recent_days`` (newest first)."""
    from datetime import timedelta

    return (
        GrantBatch.objects.filter(
            notice_until__isnull=False, notice_until__gte=today - timedelta(days=recent_days)
        )
        .select_related("policy", "policy__department")
        .order_by("-confirmed_at", "-id")
    )


def public_entries(batch: GrantBatch) -> list[dict]:
    """What the public list shows of a batch: enterprise name, amount, whether it stands.
    Nothing else about the enterprise (no code, contact, account)."""
    rows = (
        Grant.objects.filter(proposal__batch=batch)
        .order_by("-amount", "id")
        .values("pk", "enterprise__name", "amount", "status")
    )
    return [
        {
            "id": r["pk"],
            "name": r["enterprise__name"],
            "amount": r["amount"],
            "withdrawn": r["status"] == GrantStatus.CANCELLED,
        }
        for r in rows
    ]


# --- raising --------------------------------------------------------------------------


def _text(value: str | None, *, field: str, label: str, required: bool = True) -> str:
    value = (value or "").strip()
    if not value and required:
        raise ValidationError({field: [_("请填写%(label)s") % {"label": label}]})
    if value and len(value) < REASON_MIN:
        raise ValidationError(
            {field: [_("%(label)s至少 %(min)s 个字，请写明具体情况") % {"label": label, "min": REASON_MIN}]}
        )
    if len(value) > REASON_MAX:
        raise ValidationError(
            {field: [_("%(label)s不能超过 %(max)s 个字") % {"label": label, "max": REASON_MAX}]}
        )
    return value


def _amount(value, *, field: str, required: bool) -> Decimal | None:
    raw = str(value if value is not None else "").replace(",", "").strip()
    if not raw:
        if required:
            raise ValidationError({field: [_("请填写金额(元)")]})
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError({field: [_("金额应为数字(元)")]}) from exc
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e13"):
        raise ValidationError({field: [_("金额应大于 0 元")]})
    return amount.quantize(Decimal("0.01"))


def _new_objection(**fields) -> GrantObjection:
    moment = fields.pop("at")
    return GrantObjection.objects.create(
        reference=make_reference("YY", moment),
        access_key=secrets.token_urlsafe(16),
        created_at=moment,
        **fields,
    )


@transaction.atomic
def objection_file(
    *,
    batch: GrantBatch,
    grant_id,
    reason: str,
    contact: str = "",
    client_ip: str | None = None,
    user=None,
    now: datetime | None = None,
) -> GrantObjection:
    """Anyone's objection to one entry of a list on notice. Refused with a message per field:
    no such entry, notice over, reason too short or long, contact neither a phone number nor
    an e-mail address, too many objections from one address within an hour."""
    moment = now_or(now)
    errors: dict[str, list[str]] = {}
    grant = None
    if str(grant_id or "").isdigit():
        grant = (
            Grant.objects.filter(pk=int(grant_id), proposal__batch=batch).select_related("enterprise").first()
        )
    if grant is None:
        errors["grant"] = [_("请从公示名单中选择异议对象")]
    elif grant.status == GrantStatus.CANCELLED:
        errors["grant"] = [_("该条目已撤销，无需再提异议")]
    if not batch_on_notice(batch, today=local_date(moment)):
        errors["grant"] = [_("公示期已结束，不再受理异议；如有问题请联系政策主管部门")]
    try:
        reason = _text(reason, field="reason", label=_("异议理由"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    contact = (contact or "").strip()
    if contact and not (_PHONE.match(contact.replace(" ", "")) or _EMAIL.match(contact)):
        errors["contact"] = [_("联系方式应为手机号、固定电话或电子邮箱(也可不填)")]
    if len(contact) > 100:
        errors["contact"] = [_("联系方式不能超过 100 个字")]
    if errors:
        raise ValidationError(errors)
    if rate_limit_hit(
        f"objection:{client_ip or '-'}", int(getattr(settings, "OBJECTIONS_PER_IP_PER_HOUR", 5))
    ):
        raise ValidationError({"__all__": [_("提交过于频繁，请一小时后再试")]})
    return _new_objection(
        kind=ObjectionKind.OBJECTION,
        policy_id=batch.policy_id,
        department_id=grant.department_id,
        period=batch.period,
        batch=batch,
        grant=grant,
        raised_by=user if getattr(user, "is_authenticated", False) else None,
        reason=reason,
        contact=contact,
        at=moment,
    )


def _attach(objection: GrantObjection, files, *, actor) -> None:
    files = list(files or [])
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError({"files": [_("证明材料最多 %(max)s 个文件") % {"max": MAX_EVIDENCE_FILES}]})
    checked = []
    for upload in files:
        try:
            checked.append((upload, upload_check(upload)))
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from exc
    for upload, info in checked:
        ObjectionFile.objects.create(
            objection=objection,
            file=upload,
            original_name=info.original_name,
            kind=info.kind,
            size=info.size,
            sha256=info.sha256,
            uploaded_by=actor,
        )


def missed_policies():
    """The policies one may report 应享未享 for: published 免申即享 policies."""
    return Policy.objects.filter(status="published", auto_grant=True).select_related("department")


@transaction.atomic
def missed_report(
    *,
    actor,
    policy_id,
    period: str,
    reason: str,
    expected_amount=None,
    files=(),
    now: datetime | None = None,
) -> GrantObjection:
    """An enterprise left out of a 免申即享 list reports 应享未享, with at least one evidence file
    (checked as application materials are: ``uploads.upload_check``)."""
    moment = now_or(now)
    enterprise_id = user_enterprise_id(actor)
    if enterprise_id is None:
        raise PermissionDenied(_("只有企业用户可以反映应享未享"))
    errors: dict[str, list[str]] = {}
    policy = None
    if str(policy_id or "").isdigit():
        policy = missed_policies().filter(pk=int(policy_id)).first()
    if policy is None:
        errors["policy"] = [_("请选择一项免申即享政策")]
    period = (period or "").strip()
    if not _PERIOD.match(period):
        errors["period"] = [_("期间应为年份(如 2026)或年月(如 2026-03)")]
    try:
        reason = _text(reason, field="reason", label=_("情况说明"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        expected = _amount(expected_amount, field="expected_amount", required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        expected = None
    if not list(files or []):
        errors["files"] = [_("请上传至少一份证明材料")]
    if policy is not None and not errors.get("period"):
        live = Grant.objects.filter(policy=policy, enterprise_id=enterprise_id, period=period).exclude(
            status=GrantStatus.CANCELLED
        )
        if live.exists():
            errors["policy"] = [_("贵企业本期已享受该政策，如金额有误请在到账确认时反映")]
        elif GrantObjection.objects.filter(
            kind=ObjectionKind.MISSED,
            policy=policy,
            period=period,
            enterprise_id=enterprise_id,
            status=ObjectionStatus.OPEN,
        ).exists():
            errors["policy"] = [_("贵企业对该政策本期的反映正在处理中")]
    if errors:
        raise ValidationError(errors)
    objection = _new_objection(
        kind=ObjectionKind.MISSED,
        policy=policy,
        department_id=policy.department_id,
        period=period,
        enterprise_id=enterprise_id,
        raised_by=actor,
        reason=reason,
        expected_amount=expected,
        at=moment,
    )
    _attach(objection, files, actor=actor)
    return objection


def amount_dispute(*, grant: Grant, actor, reason: str, expected_amount, at: datetime) -> GrantObjection:
    """At 到账确认 the enterprise says the amount was wrong: a correction case (called by
    ``grants.grant_receipt_confirm`` inside its transaction)."""
    errors: dict[str, list[str]] = {}
    try:
        reason = _text(reason, field="reason", label=_("金额有误的说明"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        expected = _amount(expected_amount, field="expected_amount", required=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        expected = None
    if errors:
        raise ValidationError(errors)
    objection = _new_objection(
        kind=ObjectionKind.AMOUNT,
        policy_id=grant.policy_id,
        department_id=grant.department_id,
        period=grant.period,
        grant=grant,
        enterprise_id=grant.enterprise_id,
        raised_by=actor,
        reason=reason,
        expected_amount=expected,
        at=at,
    )
    grant_event(
        grant,
        action="amount_disputed",
        actor=actor,
        comment=_("企业认为应为 %(amount)s 元(%(reference)s)")
        % {"amount": expected, "reference": objection.reference},
        at=at,
    )
    return objection


# --- deciding -------------------------------------------------------------------------


@transaction.atomic
def objection_resolve(
    *,
    objection: GrantObjection,
    actor,
    upheld: bool,
    decision: str,
    amount=None,
    now: datetime | None = None,
) -> GrantObjection:
    """An official of the policy's department decides, with the reason recorded.

    Upheld: a 公示异议 withdraws the grant, or with ``amount`` adjusts it (only before any
    payment instruction); a 应享未享 report creates the grant (``grant_enter``, then the
    enterprise is asked for its account as after a batch); a 金额有误 report records the
    amount it should have been (the difference is paid outside this flow). Rejected: the
    reason is the decision. The person who raised it sees the decision (the enterprise in
    its inbox; an anonymous objector on the status page of the link it was given)."""
    moment = now_or(now)
    objection = GrantObjection.objects.select_for_update().select_related("policy").get(pk=objection.pk)
    if not user_is_official_of(actor, objection.department_id):
        raise PermissionDenied(_("只有政策所属部门的工作人员可以处理"))
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError(
            {"status": [_("该件已处理(%(status)s)") % {"status": objection.get_status_display()}]}
        )
    decision = (decision or "").strip()
    if len(decision) < 4:
        raise ValidationError({"decision": [_("请写明处理意见(至少 4 个字)")]})
    if len(decision) > REASON_MAX:
        raise ValidationError({"decision": [_("处理意见不能超过 %(max)s 个字") % {"max": REASON_MAX}]})
    with acting(actor):
        if upheld:
            _uphold(objection, actor=actor, decision=decision, amount=amount, at=moment)
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        objection.decision = decision
        objection.decided_by = actor
        objection.decided_at = moment
        objection.save(
            update_fields=[
                "status",
                "decision",
                "decided_by",
                "decided_at",
                "outcome_amount",
                "created_grant",
            ]
        )
    if objection.enterprise_id:
        enterprise_message_create(
            enterprise_id=objection.enterprise_id,
            key=f"objection:{objection.pk}:decided",
            title=_("您反映的问题已处理：%(policy)s") % {"policy": objection.policy.title},
            body=_("%(kind)s %(reference)s：%(status)s。处理意见：%(decision)s")
            % {
                "kind": objection.get_kind_display(),
                "reference": objection.reference,
                "status": objection.get_status_display(),
                "decision": decision,
            },
            url=reverse("applications:missed_report"),
            kind="grant",
        )
    return objection


def _uphold(objection: GrantObjection, *, actor, decision: str, amount, at: datetime) -> None:
    if objection.kind == ObjectionKind.OBJECTION:
        grant = Grant.objects.select_for_update().select_related("policy").get(pk=objection.grant_id)
        if grant.status not in (GrantStatus.AWAITING_ACCOUNT, GrantStatus.READY, GrantStatus.FAILED):
            raise ValidationError(
                {
                    "status": [
                        _("该笔兑现状态为“%(status)s”，不能撤销或调整")
                        % {"status": grant.get_status_display()}
                    ]
                }
            )
        new_amount = _amount(amount, field="amount", required=False)
        if new_amount is not None and new_amount != grant.amount:
            objection.outcome_amount = new_amount
            comment = _("异议 %(reference)s 成立，金额由 %(old)s 元调整为 %(new)s 元：%(decision)s") % {
                "reference": objection.reference,
                "old": grant.amount,
                "new": new_amount,
                "decision": decision,
            }
            grant.amount = new_amount
            grant.save(update_fields=["amount"])
            grant_event(grant, action="adjusted", actor=actor, comment=comment, at=at)
            title = _("兑现金额已调整：%(policy)s") % {"policy": grant.policy.title}
        else:
            grant.status = GrantStatus.CANCELLED
            grant.cancelled_reason = _("公示异议 %(reference)s 成立：%(decision)s") % {
                "reference": objection.reference,
                "decision": decision,
            }
            grant.save(update_fields=["status", "cancelled_reason"])
            grant_event(
                grant, action="withdrawn_objection", actor=actor, comment=grant.cancelled_reason, at=at
            )
            comment = grant.cancelled_reason
            title = _("兑现已撤销：%(policy)s") % {"policy": grant.policy.title}
        enterprise_message_create(
            enterprise_id=grant.enterprise_id,
            key=f"objection:{objection.pk}:grant",
            title=title,
            body=comment,
            url=reverse("applications:grant_detail", args=[grant.pk]),
            kind="grant",
        )
    elif objection.kind == ObjectionKind.MISSED:
        new_amount = _amount(amount, field="amount", required=True)
        policy = objection.policy
        grant = grant_enter(
            policy=policy,
            department_id=policy.department_id,
            enterprise=objection.enterprise,
            period=objection.period,
            exclusive_group=policy.exclusive_group,
            source=GrantSource.AUTO,
            amount=new_amount,
            eligible_since=objection.created_at,
            at=at,
        )
        if grant is None:
            raise ValidationError({"amount": [_("该企业本期已享受本政策或同一“从高不重复”组的政策")]})
        grant_event(
            grant,
            action="granted",
            actor=actor,
            comment=_("应享未享 %(reference)s 核实成立：%(decision)s")
            % {"reference": objection.reference, "decision": decision},
            at=at,
        )
        grant_push_account_request(grant, at=at)
        objection.outcome_amount = new_amount
        objection.created_grant = grant
    else:  # 金额有误
        new_amount = _amount(amount, field="amount", required=True)
        grant = Grant.objects.select_for_update().get(pk=objection.grant_id)
        objection.outcome_amount = new_amount
        grant_event(
            grant,
            action="amount_corrected",
            actor=actor,
            comment=_("%(reference)s 核定应为 %(new)s 元(已拨 %(old)s 元)：%(decision)s")
            % {
                "reference": objection.reference,
                "new": new_amount,
                "old": grant.amount,
                "decision": decision,
            },
            at=at,
        )


def objections_for_official(*, user, status: str = ""):
    from ..access import user_department_ids

    qs = GrantObjection.objects.select_related(
        "policy", "grant__enterprise", "enterprise", "batch"
    ).prefetch_related("files")
    departments = user_department_ids(user)
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "created_at", "id")
