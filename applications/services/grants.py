"""免申即享: proposals from eligible matches (amount from the award formula, facts frozen),
batch confirmation by an official, the enterprise's one-click account confirmation, and
the "从高、不重复" rule of exclusive groups.

The database holds the rules: ``Grant`` has partial unique constraints on
(policy, enterprise, period) and (exclusive_group, enterprise, period); the code below
picks the highest award in a group, and the constraints make any race or bug that
would grant twice fail with IntegrityError instead.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from matching.criteria import award_amount
from matching.models import Match, MatchStatus
from matching.pipeline.events import grant_confirmed_emit
from matching.profiles import profiles_load
from policies.models import Policy
from portal.links import absolute_url
from portal.web.templatetags.web_tags import money_text

from ..access import user_enterprise_id, user_is_official_of
from ..models import (
    BankAccount,
    Grant,
    GrantBatch,
    GrantEvent,
    GrantProposal,
    GrantSource,
    GrantStatus,
    ProposalStatus,
)
from ..notify import enterprise_message_create
from ..prefill import jsonable, policy_fields
from .common import local_date, now_or

TOKEN_SALT = "applications.grant-account"
TOKEN_MAX_AGE = 30 * 24 * 3600


def grant_event(grant: Grant, *, action: str, actor=None, comment: str = "", at: datetime) -> None:
    GrantEvent.objects.create(grant=grant, action=action, actor=actor, comment=comment, at=at)


def grant_enter(
    *,
    policy,
    department_id: int,
    enterprise,
    period: str,
    exclusive_group: str,
    source: str,
    amount: Decimal,
    eligible_since: datetime,
    at: datetime,
    application=None,
    proposal=None,
) -> Grant | None:
    """A grant into the ledger, awaiting the enterprise's account; None when the database's
    constraints refuse it (already granted for this policy and period, or a grant in the same
    exclusive group): the one place a grant is written, for an approval and a 免申即享 batch."""
    try:
        with transaction.atomic():
            return Grant.objects.create(
                policy=policy,
                department_id=department_id,
                enterprise_id=enterprise.pk,
                district=enterprise.district,
                period=period,
                exclusive_group=exclusive_group,
                source=source,
                application=application,
                proposal=proposal,
                amount=amount,
                status=GrantStatus.AWAITING_ACCOUNT,
                eligible_since=eligible_since,
                granted_at=at,
            )
    except IntegrityError:
        return None


def grant_token_make(grant: Grant) -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(grant.pk))


def grant_from_token(token: str) -> Grant:
    """The grant a signed link is for; raises ValidationError if forged or expired."""
    try:
        pk = signing.TimestampSigner(salt=TOKEN_SALT).unsign(token, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("链接已过期，请登录后在“我的申报”中确认")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("链接无效")) from exc
    return Grant.objects.select_related("policy", "enterprise").get(pk=int(pk))


def grant_push_account_request(grant: Grant, *, at: datetime, sms: bool = True) -> None:
    """Ask the enterprise to confirm its account: in-app, and an SMS delivery with the signed
    one-click link (to the enterprise's SMS number, or its contact phone when it has not chosen
    SMS), written to the outbox with the message."""
    url = reverse("applications:grant_confirm", args=[grant_token_make(grant)])
    enterprise_message_create(
        enterprise_id=grant.enterprise_id,
        key=f"grant:{grant.pk}:account",
        title=f"请确认收款账户：{grant.policy.title}",
        body=f"您获得 {money_text(grant.amount)}，请一键确认收款账户后拨付。",
        url=url,
        kind="grant",
        sms_text=f"【政策找企业】贵企业获{grant.policy.title}{money_text(grant.amount)}，确认收款账户：{absolute_url(url)}",
        sms_phone=grant.enterprise.contact_phone if sms else "",
    )


# --- proposals ---------------------------------------------------------------------


def _frozen_profile(profile, used: set[str]) -> dict[str, Any]:
    """The facts the eligibility and amount were computed from: the §6 profile with the core
    fields and tags, and of the indicators those the policy's criteria and award mention
    (the whole policy text is in its PolicyVersion snapshot, by ``policy_version``)."""
    data = profile.to_json()
    data["indicators"] = {code: values for code, values in data.get("indicators", {}).items() if code in used}
    return data


def _award(policy, profile, as_of) -> tuple[Decimal | None, str, list]:
    if not policy.award:
        return None, "政策未设定奖补金额公式", []
    result = award_amount(policy.award, profile, as_of=as_of)
    missing = [jsonable(m) for m in result.missing]
    amount = result.amount
    if amount is not None:
        amount = Decimal(amount).quantize(Decimal("0.01"))
    return amount, result.text, missing


@transaction.atomic
def grant_proposals_generate(
    *, policy_id: int, period: str | None = None, now: datetime | None = None, limit: int = 5000
) -> int:
    """Create proposals for eligible matches of a published auto-grant policy that have none
    yet for the period. Idempotent (unique (policy, enterprise, period)); bounded by ``limit``
    per call, so a caller loops (the beat task does) until it returns 0."""
    moment = now_or(now)
    today = local_date(moment)
    policy = Policy.objects.filter(pk=policy_id, status="published", auto_grant=True).first()
    if policy is None:
        return 0
    period = period or str(today.year)
    already = GrantProposal.objects.filter(policy_id=policy_id, period=period).values("enterprise_id")
    matches = list(
        Match.objects.filter(policy_id=policy_id, status=MatchStatus.ELIGIBLE)
        .exclude(enterprise_id__in=already)
        .order_by("enterprise_id")
        .values_list("enterprise_id", "matched_at")[:limit]
    )
    if not matches:
        return 0
    profiles = profiles_load([eid for eid, _ in matches])
    used = set(policy_fields(policy))
    rows = []
    for enterprise_id, matched_at in matches:
        profile = profiles.get(enterprise_id)
        if profile is None:
            continue
        amount, text, missing = _award(policy, profile, today)
        rows.append(
            GrantProposal(
                policy=policy,
                enterprise_id=enterprise_id,
                period=period,
                exclusive_group=policy.exclusive_group,
                policy_version=policy.version,
                amount=amount,
                amount_text=text,
                facts={
                    "as_of": today.isoformat(),
                    "policy_version": policy.version,
                    "award": policy.award,
                    "profile": _frozen_profile(profile, used),
                    "amount_text": text,
                    "missing": missing,
                },
                eligible_since=matched_at,
                status=ProposalStatus.PROPOSED if amount is not None else ProposalStatus.UNKNOWN_AMOUNT,
            )
        )
    created = GrantProposal.objects.bulk_create(rows, ignore_conflicts=True)
    if policy.exclusive_group:
        exclusive_group_resolve(
            group=policy.exclusive_group,
            period=period,
            enterprise_ids=[r.enterprise_id for r in rows],
            now=moment,
        )
    return len(created)


def _winner_key(amount: Decimal | None, pk: int) -> tuple:
    # Highest amount wins; on a tie the earlier proposal keeps it.
    return (amount if amount is not None else Decimal("-1"), -pk)


def exclusive_group_resolve(
    *, group: str, period: str, enterprise_ids: list[int], now: datetime | None = None
) -> int:
    """从高、不重复: per enterprise keep only the highest proposal of the group open; a lower
    one is superseded. A lower grant not yet sent for payment is cancelled in favour of a
    higher proposal; once instructed or paid it stands and the higher one is superseded
    (a top-up is the department's decision, outside this flow). Returns rows changed."""
    moment = now_or(now)
    changed = 0
    live_grant_status = [s for s in GrantStatus.values if s != GrantStatus.CANCELLED]
    proposals = (
        GrantProposal.objects.select_for_update()
        .filter(exclusive_group=group, period=period, enterprise_id__in=enterprise_ids)
        .filter(status__in=[ProposalStatus.PROPOSED, ProposalStatus.CONFIRMED])
        .order_by("enterprise_id", "id")
    )
    by_enterprise: dict[int, list[GrantProposal]] = {}
    for p in proposals:
        by_enterprise.setdefault(p.enterprise_id, []).append(p)
    grants = {
        g.enterprise_id: g
        for g in Grant.objects.select_for_update().filter(
            exclusive_group=group,
            period=period,
            enterprise_id__in=by_enterprise,
            status__in=live_grant_status,
        )
    }
    for enterprise_id, items in by_enterprise.items():
        best = max(items, key=lambda p: _winner_key(p.amount, p.pk))
        grant = grants.get(enterprise_id)
        if grant is not None and grant.proposal_id != best.pk:
            if grant.amount < (best.amount or 0) and grant.status in (
                GrantStatus.AWAITING_ACCOUNT,
                GrantStatus.READY,
            ):
                grant.status = GrantStatus.CANCELLED
                grant.cancelled_reason = f"同组政策({best.policy_id})金额更高，按从高不重复原则改享该政策"
                grant.save(update_fields=["status", "cancelled_reason"])
                grant_event(grant, action="cancelled", comment=grant.cancelled_reason, at=moment)
                changed += 1
            else:
                best = next((p for p in items if p.pk == grant.proposal_id), None)
        for p in items:
            if best is not None and p.pk == best.pk:
                continue
            if (
                p.status == ProposalStatus.CONFIRMED
                and grant is not None
                and grant.proposal_id == p.pk
                and grant.status != GrantStatus.CANCELLED
            ):
                continue
            p.status = ProposalStatus.SUPERSEDED
            p.excluded_reason = "同一“从高不重复”组内已有更高金额的政策"
            p.decided_at = moment
            p.save(update_fields=["status", "excluded_reason", "decided_at"])
            changed += 1
    return changed


def _require_official(policy, actor) -> None:
    if not user_is_official_of(actor, policy.department_id):
        raise PermissionDenied("只有政策所属部门的工作人员可以确认")


@transaction.atomic
def grant_batch_confirm(
    *,
    policy,
    period: str,
    actor,
    proposal_ids: list[int] | None = None,
    now: datetime | None = None,
    sms: bool = True,
) -> GrantBatch:
    """Confirm the open proposals of a policy and period (or the given ones) in one batch:
    each becomes a grant awaiting the enterprise's account confirmation. A proposal the
    constraints refuse (already granted this period, or a grant in the same exclusive
    group) is superseded instead, with the reason."""
    moment = now_or(now)
    _require_official(policy, actor)
    qs = GrantProposal.objects.select_for_update().filter(
        policy=policy, period=period, status=ProposalStatus.PROPOSED, amount__isnull=False
    )
    if proposal_ids is not None:
        qs = qs.filter(pk__in=proposal_ids)
    proposals = list(qs.select_related("enterprise").order_by("id"))
    if not proposals:
        raise ValidationError({"proposals": ["没有可确认的拟兑现记录"]})

    still_eligible = set(
        Match.objects.filter(
            policy_id=policy.pk,
            enterprise_id__in=[p.enterprise_id for p in proposals],
            status=MatchStatus.ELIGIBLE,
        ).values_list("enterprise_id", flat=True)
    )
    from .notice import notice_until_for, notice_workdays

    workdays = notice_workdays()
    batch = GrantBatch.objects.create(
        policy=policy,
        period=period,
        confirmed_by=actor,
        confirmed_at=moment,
        # 信息公示: the list is public until this day; payment waits for it (notice.payment_blocks)
        notice_workdays=workdays,
        notice_until=notice_until_for(local_date(moment), workdays),
    )
    total = Decimal("0")
    count = 0
    for proposal in proposals:
        if proposal.enterprise_id not in still_eligible:
            # The match ended after the proposal was made (profile changed, policy revised).
            _proposal_decide(
                proposal,
                ProposalStatus.EXCLUDED,
                actor=actor,
                at=moment,
                reason="确认时企业已不再符合条件(匹配已失效)",
            )
            continue
        grant = grant_enter(
            policy=policy,
            department_id=policy.department_id,
            enterprise=proposal.enterprise,
            period=period,
            exclusive_group=proposal.exclusive_group,
            source=GrantSource.AUTO,
            amount=proposal.amount,
            eligible_since=proposal.eligible_since,
            at=moment,
            proposal=proposal,
        )
        if grant is None:
            _proposal_decide(
                proposal,
                ProposalStatus.SUPERSEDED,
                actor=actor,
                at=moment,
                reason="该企业本期已享受本政策或同一“从高不重复”组的政策",
            )
            continue
        _proposal_decide(proposal, ProposalStatus.CONFIRMED, actor=actor, at=moment, batch=batch)
        grant_event(grant, action="granted", actor=actor, comment=f"免申即享批次 {batch.pk} 确认", at=moment)
        grant_push_account_request(grant, at=moment, sms=sms)

        grant_confirmed_emit(grant=grant)
        total += proposal.amount
        count += 1
    batch.count = count
    batch.total = total
    batch.save(update_fields=["count", "total"])
    return batch


@transaction.atomic
def grant_proposal_exclude(
    *, proposal: GrantProposal, actor, reason: str, now: datetime | None = None
) -> GrantProposal:
    moment = now_or(now)
    proposal = GrantProposal.objects.select_for_update().select_related("policy").get(pk=proposal.pk)
    _require_official(proposal.policy, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写排除原因"]})
    if proposal.status not in (ProposalStatus.PROPOSED, ProposalStatus.UNKNOWN_AMOUNT):
        raise ValidationError({"status": [f"当前状态“{proposal.get_status_display()}”不能排除"]})
    _proposal_decide(proposal, ProposalStatus.EXCLUDED, actor=actor, at=moment, reason=reason)
    return proposal


def _proposal_decide(
    proposal: GrantProposal, status: str, *, actor, at: datetime, reason: str = "", batch=None
) -> None:
    proposal.status = status
    proposal.decided_by = actor
    proposal.decided_at = at
    fields = ["status", "decided_by", "decided_at"]
    if reason:
        proposal.excluded_reason = reason
        fields.append("excluded_reason")
    if batch is not None:
        proposal.batch = batch
        fields.append("batch")
    proposal.save(update_fields=fields)


def _account_dict(account: BankAccount) -> dict[str, Any]:
    return {
        "account_name": account.account_name,
        "bank_name": account.bank_name,
        "account_number": account.account_number,
        "source": account.source,
    }


@transaction.atomic
def grant_account_confirm(
    *,
    grant: Grant,
    actor=None,
    via_token: bool = False,
    account: dict[str, str] | None = None,
    now: datetime | None = None,
) -> Grant:
    """The enterprise confirms the account to be paid into (one click on the account on
    file, or a new account). ``actor`` is the enterprise's user, or None with a valid
    signed link (``via_token``)."""
    moment = now_or(now)
    grant = Grant.objects.select_for_update().select_related("policy").get(pk=grant.pk)
    if not via_token and user_enterprise_id(actor) != grant.enterprise_id:
        raise PermissionDenied("只有本企业的用户可以确认收款账户")
    if grant.status not in (GrantStatus.AWAITING_ACCOUNT, GrantStatus.FAILED):
        raise ValidationError(
            {"status": [_("当前状态“%(status)s”无需确认账户") % {"status": grant.get_status_display()}]}
        )
    if account:
        errors = {}
        for key, label in (
            ("account_name", _("户名")),
            ("bank_name", _("开户行")),
            ("account_number", _("账号")),
        ):
            if not str(account.get(key, "")).strip():
                errors[key] = [_("请填写%(label)s") % {"label": label}]
        number = "".join(str(account.get("account_number", "")).split())
        if number and (not number.isdigit() or not 8 <= len(number) <= 30):
            errors["account_number"] = [_("账号应为 8-30 位数字")]
        if errors:
            raise ValidationError(errors)
        record, _created = BankAccount.objects.update_or_create(
            enterprise_id=grant.enterprise_id,
            defaults={
                "account_name": account["account_name"].strip(),
                "bank_name": account["bank_name"].strip(),
                "account_number": number,
                "source": "企业填报",
            },
        )
    else:
        record = BankAccount.objects.filter(enterprise_id=grant.enterprise_id).first()
        if record is None:
            raise ValidationError({"account_number": [_("没有登记的收款账户，请填写")]})
    grant.account_snapshot = _account_dict(record)
    grant.account_confirmed_at = moment
    grant.status = GrantStatus.READY
    grant.save(update_fields=["account_snapshot", "account_confirmed_at", "status"])
    grant_event(
        grant,
        action="account_confirmed",
        actor=actor,
        comment=f"{record.bank_name} {record.masked_number}" + ("(短信链接)" if via_token else ""),
        at=moment,
    )
    return grant


@transaction.atomic
def grant_receipt_confirm(
    *,
    grant: Grant,
    actor,
    amount_ok: bool | None = None,
    reason: str = "",
    expected_amount=None,
    now: datetime | None = None,
) -> Grant:
    """到账确认: the enterprise confirms the money arrived and says whether the amount was right
    (``amount_ok``); a wrong amount opens a correction case (``notice.amount_dispute``)."""
    moment = now_or(now)
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if user_enterprise_id(actor) != grant.enterprise_id:
        raise PermissionDenied("只有本企业的用户可以确认到账")
    if grant.status != GrantStatus.PAID:
        raise ValidationError(
            {"status": [_("当前状态“%(status)s”不能确认到账") % {"status": grant.get_status_display()}]}
        )
    if amount_ok is False:
        from .notice import amount_dispute

        amount_dispute(grant=grant, actor=actor, reason=reason, expected_amount=expected_amount, at=moment)
    grant.status = GrantStatus.RECEIVED
    grant.received_confirmed_at = moment
    grant.amount_confirmed = amount_ok
    grant.save(update_fields=["status", "received_confirmed_at", "amount_confirmed"])
    grant_event(grant, action="received", actor=actor, comment="企业确认资金到账", at=moment)
    return grant


def auto_grant_policy_ids() -> list[int]:
    return list(
        Policy.objects.filter(Q(status="published") & Q(auto_grant=True)).values_list("pk", flat=True)
    )
