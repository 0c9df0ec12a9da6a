"""Every step of a case goes through one prologue: who may take it, from which status."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals import services
from appeals.models import CaseStatus, Category

pytestmark = pytest.mark.django_db


def _case(setup):
    return services.case_raise(
        enterprise=setup["enterprise"],
        raised_by=setup["user"],
        category=Category.OTHER,
        title="厂房租金补贴未到账",
        description="申请已通过三个月，资金未到账",
    )


def test_a_step_the_status_does_not_allow_is_refused_and_nothing_is_recorded(setup):
    # given a case just raised
    case = _case(setup)
    # when the official tries to close it before answering
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, actor=setup["official"])
    # then the refusal names the status, and the case and its log are unchanged
    assert "status" in refused.value.message_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert list(case.events.order_by("pk").values_list("action", flat=True)) == ["raised"]


def test_officials_of_another_department_and_other_enterprises_may_not_take_steps(setup):
    case = _case(setup)
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, actor=setup["outsider"])
    services.case_accept(case=case, actor=setup["official"])
    services.case_answer(case=case, actor=setup["official"], reply="已协调财政局本周拨付")
    with pytest.raises(PermissionDenied):
        services.case_confirm(case=case, actor=setup["other_user"], resolved=True)
    # the enterprise's own user confirms; each step is logged with the statuses it moved between
    services.case_confirm(case=case, actor=setup["user"], resolved=True)
    assert list(case.events.order_by("pk").values_list("action", "from_status", "to_status")) == [
        ("raised", "", CaseStatus.SUBMITTED),
        ("accepted", CaseStatus.SUBMITTED, CaseStatus.ACCEPTED),
        ("answered", CaseStatus.ACCEPTED, CaseStatus.ANSWERED),
        ("confirmed", CaseStatus.ANSWERED, CaseStatus.CONFIRMED),
    ]
