import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals import selectors, services
from appeals.models import ArrearsCase, ArrearsStatus, Category
from tests.factories.accounts import EnterpriseUserFactory

pytestmark = pytest.mark.django_db


def raise_case(setup, title: str):
    return services.case_raise(
        enterprise=setup["enterprise"],
        raised_by=setup["user"],
        category=Category.OTHER,
        title=title,
        description=title,
    )


def report(setup, **kw):
    data = dict(
        enterprise=setup["enterprise"],
        reported_by=setup["user"],
        debtor_name="某局",
        debtor_type="government",
        amount="100000",
        due_on=dt.date(2026, 1, 31),
        contract_no="HT-1",
    )
    data.update(kw)
    return services.arrears_report(**data)


def test_arrears_runs_to_settlement(setup):
    arrears = report(setup)
    services.arrears_verify(arrears=arrears, actor=setup["official"], verified_amount="90000")
    services.arrears_plan_agree(
        arrears=arrears,
        actor=setup["official"],
        installments=[(dt.date(2026, 12, 31), Decimal("50000")), (dt.date(2027, 3, 31), Decimal("40000"))],
    )
    services.arrears_repayment_record(
        arrears=arrears, actor=setup["official"], amount="50000", paid_on=dt.date(2026, 12, 20)
    )
    assert ArrearsCase.objects.get(pk=arrears.pk).status == ArrearsStatus.REPAYING
    services.arrears_repayment_record(
        arrears=arrears, actor=setup["official"], amount="40000", paid_on=dt.date(2027, 1, 5)
    )
    arrears.refresh_from_db()
    assert arrears.status == ArrearsStatus.PAID
    services.arrears_confirm_settled(arrears=arrears, actor=setup["user"])
    arrears.refresh_from_db()
    assert arrears.status == ArrearsStatus.SETTLED and arrears.settled_at is not None


def test_arrears_rejects_bad_amounts_and_overpayment(setup):
    with pytest.raises(ValidationError) as exc:
        report(setup, amount="-5", debtor_type="alien")
    assert set(exc.value.message_dict) == {"amount", "debtor_type"}
    arrears = report(setup)
    with pytest.raises(ValidationError):
        services.arrears_verify(arrears=arrears, actor=setup["official"], verified_amount="200000")
    services.arrears_verify(arrears=arrears, actor=setup["official"])
    with pytest.raises(ValidationError):  # plan must add up to the verified amount
        services.arrears_plan_agree(
            arrears=arrears, actor=setup["official"], installments=[(dt.date(2027, 1, 1), Decimal("1"))]
        )
    services.arrears_plan_agree(
        arrears=arrears, actor=setup["official"], installments=[(dt.date(2027, 1, 1), Decimal("100000"))]
    )
    with pytest.raises(ValidationError):
        services.arrears_repayment_record(
            arrears=arrears, actor=setup["official"], amount="100001", paid_on=dt.date(2027, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        services.arrears_confirm_settled(arrears=arrears, actor=EnterpriseUserFactory())


def test_case_figures_count_collected_resolved_overdue_and_satisfaction(setup):
    # given three cases: one closed and rated 4, one answered, one overdue
    closed = raise_case(setup, "a")
    services.case_accept(case=closed, actor=setup["official"])
    services.case_answer(case=closed, actor=setup["official"], reply="r")
    services.case_confirm(case=closed, actor=setup["user"], resolved=True)
    services.case_close(case=closed, actor=setup["official"])
    services.case_rate(case=closed, actor=setup["user"], score=4, comment="")
    raise_case(setup, "b")
    late = raise_case(setup, "c")
    # when figures are taken after the late one's deadline
    figures = selectors.case_figures(today=late.due_on + dt.timedelta(days=1))
    # then
    assert figures["collected"] == 3 and figures["resolved"] == 1
    assert figures["resolution_rate"] == pytest.approx(33.3)
    assert figures["overdue"] == 2 and figures["satisfaction"] == 4
    by_dept = selectors.case_figures(group_by="department", today=late.due_on + dt.timedelta(days=1))
    assert by_dept[0]["collected"] == 3 and by_dept[0]["key"] == setup["dept"].name


def test_arrears_figures_by_type_and_age(setup):
    a = report(setup, due_on=dt.date(2026, 10, 1))
    report(setup, debtor_type="state_owned", amount="50000", due_on=dt.date(2025, 1, 1))
    services.arrears_verify(arrears=a, actor=setup["official"])
    figures = selectors.arrears_figures(today=dt.date(2026, 11, 27))
    by_type = {r["debtor_type"]: r for r in figures["by_debtor_type"]}
    assert by_type["government"]["amount"] == Decimal("100000") and by_type["state_owned"]["cases"] == 1
    ages = {r["bucket"]: r for r in figures["by_age"]}
    assert ages["0-3个月"]["cases"] == 1 and ages["1年以上"]["outstanding"] == Decimal("50000")
    assert figures["total"]["cases"] == 2
