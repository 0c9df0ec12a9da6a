"""Grants: the enterprise's (its grants, one-click account confirmation, receipt) and the
officials' 免申即享 batches."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from policies.models import Policy
from portal.accounts.decorators import enterprise_user_required, official_required

from .. import selectors, services
from ..access import (
    user_can_view_grant,
    user_enterprise_id,
    user_is_official_of,
)
from ..models import (
    BankAccount,
    Grant,
    GrantProposal,
    ProposalStatus,
)
from .common import service_call, visible_or_404


@enterprise_user_required
def my_grants(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "applications/my_grants.html",
        {"grants": selectors.grants_for_enterprise(request.enterprise.pk)},
    )


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = visible_or_404(
        request,
        Grant.objects.select_related("policy", "enterprise", "department", "proposal"),
        pk,
        user_can_view_grant,
    )
    is_owner = user_enterprise_id(request.user) == grant.enterprise_id
    return render(
        request,
        "applications/grant_detail.html",
        {
            "grant": grant,
            "events": grant.events.select_related("actor"),
            "payments": grant.payments.all(),
            "is_owner": is_owner,
            "is_official": user_is_official_of(request.user, grant.department_id),
            "account": BankAccount.objects.filter(enterprise_id=grant.enterprise_id).first()
            if is_owner
            else None,
            "grant_token": services.grant_token_make(grant) if is_owner else "",
            "payment_block": services.payment_blocks([grant], today=timezone.localdate()).get(grant.pk, ""),
        },
    )


def grant_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link (in-app and SMS): shows the account on file, masked; one POST confirms."""
    try:
        grant = services.grant_from_token(token)
    except (ValidationError, Grant.DoesNotExist):
        return render(request, "applications/grant_confirm.html", {"invalid": True}, status=404)
    account = BankAccount.objects.filter(enterprise_id=grant.enterprise_id).first()
    if request.method == "POST":
        new_account = None
        if not account or request.POST.get("account_number"):
            new_account = {
                k: request.POST.get(k, "") for k in ("account_name", "bank_name", "account_number")
            }
        confirmed = service_call(
            request,
            lambda: services.grant_account_confirm(
                grant=grant,
                actor=request.user if request.user.is_authenticated else None,
                via_token=True,
                account=new_account,
            ),
            done=_("收款账户已确认，资金将按程序拨付"),
        )
        if confirmed:
            return redirect("applications:grant_confirm", token=token)
    return render(
        request,
        "applications/grant_confirm.html",
        {"grant": grant, "account": account, "token": token},
    )


@require_POST
@enterprise_user_required
def grant_received(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Grant, pk=pk, enterprise=request.enterprise)

    def confirm():
        answer = request.POST.get("amount_ok", "")
        if answer not in ("yes", "no"):
            raise ValidationError({"amount_ok": [_("请选择到账金额是否无误")]})
        return services.grant_receipt_confirm(
            grant=grant,
            actor=request.user,
            amount_ok=answer == "yes",
            reason=request.POST.get("reason", ""),
            expected_amount=request.POST.get("expected_amount", ""),
        )

    service_call(
        request,
        confirm,
        done=lambda g: (
            _("已确认到账") if g.amount_confirmed else _("已确认到账；金额有误的反映已转政策主管部门核实")
        ),
    )
    return redirect("applications:grant_detail", pk=pk)


@official_required
def autogrant_overview(request: HttpRequest) -> HttpResponse:
    return render(
        request, "applications/autogrant.html", {"rows": selectors.auto_grant_overview(user=request.user)}
    )


@official_required
def autogrant_policy(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = get_object_or_404(Policy, pk=policy_id, auto_grant=True)
    if not user_is_official_of(request.user, policy.department_id):
        raise PermissionDenied
    period = request.GET.get("period") or request.POST.get("period") or str(timezone.localdate().year)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("proposal") if i.isdigit()]
        if request.POST.get("confirmed") != "1":
            # public money: the batch is confirmed on a separate step that shows what it commits
            chosen = list(
                selectors.proposals_for_policy(policy_id=policy.pk, period=period).filter(
                    status=ProposalStatus.PROPOSED, amount__isnull=False, **({"pk__in": ids} if ids else {})
                )
            )
            return render(
                request,
                "applications/autogrant_confirm.html",
                {
                    "policy": policy,
                    "period": period,
                    "proposals": chosen,
                    "total": sum((p.amount for p in chosen), 0),
                    "notice_until": services.notice_until_for(timezone.localdate()),
                },
            )
        service_call(
            request,
            lambda: services.grant_batch_confirm(
                policy=policy, period=period, actor=request.user, proposal_ids=ids or None
            ),
            done=lambda batch: (
                _("已确认 %(count)s 家企业，合计 %(total)s 元；已通知企业确认收款账户")
                % {"count": batch.count, "total": batch.total}
                + (
                    _("；名单公示至 %(date)s，期满且异议处理完毕后方可拨付")
                    % {"date": batch.notice_until.isoformat()}
                    if batch.notice_until
                    else ""
                )
            ),
        )
        return redirect(f"{reverse('applications:autogrant_policy', args=[policy.pk])}?period={period}")
    proposals = list(selectors.proposals_for_policy(policy_id=policy.pk, period=period)[:500])
    open_total = sum((p.amount or 0) for p in proposals if p.status == ProposalStatus.PROPOSED)
    return render(
        request,
        "applications/autogrant_policy.html",
        {"policy": policy, "period": period, "proposals": proposals, "open_total": open_total},
    )


@require_POST
@official_required
def proposal_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(GrantProposal, pk=pk)
    service_call(
        request,
        lambda: services.grant_proposal_exclude(
            proposal=proposal, actor=request.user, reason=request.POST.get("reason", "")
        ),
        done=_("已排除"),
    )
    return redirect(
        f"{reverse('applications:autogrant_policy', args=[proposal.policy_id])}?period={proposal.period}"
    )


@official_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(GrantProposal.objects.select_related("policy", "enterprise"), pk=pk)
    if not user_is_official_of(request.user, proposal.policy.department_id):
        raise PermissionDenied

    return render(
        request,
        "applications/proposal_detail.html",
        {"proposal": proposal, "facts": json.dumps(proposal.facts, ensure_ascii=False, indent=2)},
    )
