"""Arrears (拖欠账款): an enterprise reports a debt, the department verifies it, agrees a
repayment plan, records repayments, and the enterprise confirms it settled. Each step is one
of the ``Step``s below, taken through ``steps.step_check`` / ``steps.step_take``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ArrearsCase, ArrearsStatus, Category, DebtorType, Repayment, RepaymentInstallment
from ..notify import notify_enterprise
from .cases import case_route
from .steps import ENTERPRISE, Step, number_make, record, step_check, step_take

A = ArrearsStatus
REJECT = Step("rejected", (A.REPORTED,), A.REJECTED)
VERIFY = Step("verified", (A.REPORTED,), A.VERIFIED)
PLAN = Step("plan_agreed", (A.VERIFIED,), A.PLAN_AGREED)
REPAY = Step(
    "repayment",
    (A.PLAN_AGREED, A.REPAYING),
    A.REPAYING,
    refusal=gettext_lazy("约定还款计划后才能登记还款"),
)
REPAY_LAST = replace(REPAY, to=A.PAID)
SETTLE = Step("settled", (A.PAID,), A.SETTLED, by=ENTERPRISE, denied=gettext_lazy("只有债权企业可以确认结清"))


@transaction.atomic
def arrears_report(
    *,
    enterprise,
    debtor_name: str,
    debtor_type: str,
    amount,
    due_on: dt.date,
    contract_no: str = "",
    description: str = "",
    reported_by=None,
    department=None,
    debtor_credit_code: str = "",
) -> ArrearsCase:
    errors = {}
    try:
        amount = Decimal(str(amount))
    except Exception:
        errors["amount"] = _("金额格式不正确")
    else:
        if amount <= 0:
            errors["amount"] = _("欠款金额须大于0")
    if not (debtor_name or "").strip():
        errors["debtor_name"] = _("请填写欠款单位")

    if debtor_type not in DebtorType.values:
        errors["debtor_type"] = _("欠款单位类型无效")
    if not isinstance(due_on, dt.date):
        errors["due_on"] = _("请填写约定付款日")
    if errors:
        raise ValidationError(errors)
    if reported_by is not None and not reported_by.is_official and reported_by.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("只能以本企业名义登记"))
    department = department or case_route(category=Category.ARREARS, district=enterprise.district)
    arrears = ArrearsCase.objects.create(
        number=number_make("QK"),
        enterprise=enterprise,
        debtor_name=debtor_name.strip(),
        debtor_type=debtor_type,
        debtor_credit_code=debtor_credit_code,
        amount=amount,
        contract_no=contract_no,
        due_on=due_on,
        description=description,
        district=enterprise.district,
        department=department,
        reported_by=reported_by,
    )
    record(arrears, action="reported", actor=reported_by)
    return arrears


@transaction.atomic
def arrears_verify(
    *, arrears: ArrearsCase, actor, verified_amount=None, accept: bool = True, note: str = ""
) -> ArrearsCase:
    step_check(arrears, VERIFY if accept else REJECT, actor=actor)
    if not accept:
        if not note.strip():
            raise ValidationError({"note": _("不予认定须说明理由")})
        arrears.note = note
        step_take(arrears, REJECT, actor=actor, note=note)
        return arrears
    amount = Decimal(str(verified_amount)) if verified_amount not in (None, "") else arrears.amount
    if amount <= 0 or amount > arrears.amount:
        raise ValidationError({"verified_amount": _("核实金额须大于0且不超过登记金额")})
    arrears.verified_amount = amount
    step_take(arrears, VERIFY, actor=actor, note=note)
    return arrears


@transaction.atomic
def arrears_plan_agree(
    *, arrears: ArrearsCase, actor, installments: list[tuple[dt.date, Decimal]]
) -> ArrearsCase:
    step_check(arrears, PLAN, actor=actor)
    if not installments:
        raise ValidationError({"plan": _("请至少填写一期还款计划")})
    total = sum((Decimal(str(a)) for _d, a in installments), Decimal("0"))
    if total != arrears.verified_amount:
        raise ValidationError(
            {
                "plan": _("还款计划合计%(t)s元，与核实金额%(v)s元不一致")
                % {"t": total, "v": arrears.verified_amount}
            }
        )
    arrears.plan.all().delete()
    RepaymentInstallment.objects.bulk_create(
        [RepaymentInstallment(arrears=arrears, due_on=d, amount=Decimal(str(a))) for d, a in installments]
    )
    step_take(arrears, PLAN, actor=actor, note="; ".join(f"{d}: {a}" for d, a in installments))
    return arrears


@transaction.atomic
def arrears_repayment_record(*, arrears: ArrearsCase, actor, amount, paid_on: dt.date) -> Repayment:
    step_check(arrears, REPAY, actor=actor)
    amount = Decimal(str(amount))
    repaid = arrears.repayments.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if amount <= 0 or repaid + amount > arrears.verified_amount:
        raise ValidationError(
            {
                "amount": _("还款金额须大于0，且累计不超过核实金额（尚欠%s元）")
                % (arrears.verified_amount - repaid)
            }
        )
    repayment = Repayment.objects.create(arrears=arrears, amount=amount, paid_on=paid_on, recorded_by=actor)
    paid = repaid + amount == arrears.verified_amount
    step_take(arrears, REPAY_LAST if paid else REPAY, actor=actor, note=f"{paid_on} {amount}")
    if paid:
        notify_enterprise(
            arrears.enterprise,
            title=_("欠款已还清，请确认结清：%s") % arrears.debtor_name,
            link=reverse("appeals:arrears_detail", args=[arrears.pk]),
        )
    return repayment


@transaction.atomic
def arrears_confirm_settled(*, arrears: ArrearsCase, actor) -> ArrearsCase:
    step_check(arrears, SETTLE, actor=actor)
    arrears.settled_at = timezone.now()
    step_take(arrears, SETTLE, actor=actor)
    return arrears
