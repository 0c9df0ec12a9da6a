"""The 诉求 loop: raise → route → accept → answer → confirm / reopen → return visit → close → rate."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appeals import services
from appeals.models import Case, CaseSource, CaseStatus, Category, CategoryTimeLimit, RoutingRule
from applications.models import DepartmentHead
from inbox.models import Message
from portal.workdays import add_workdays
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    finance = DepartmentFactory(code="fin", name="财政局")
    other = DepartmentFactory(code="gxj", name="工信局")
    zone = DepartmentFactory(code="hkg", name="航空港区管委会")
    RoutingRule.objects.create(category=Category.FINANCE, district="", department=finance)
    RoutingRule.objects.create(category=Category.OTHER, district="", department=other)
    RoutingRule.objects.create(category=Category.FINANCE, district="410173", department=zone)
    CategoryTimeLimit.objects.create(category=Category.FINANCE, working_days=5, remind_before=2)
    enterprise = EnterpriseFactory(district="410105")
    user = EnterpriseUserFactory(enterprise=enterprise)
    handler = OfficialUserFactory(departments=[finance])
    head = OfficialUserFactory(departments=[finance])
    DepartmentHead.objects.create(department=finance, user=head)
    return {
        "finance": finance,
        "other": other,
        "zone": zone,
        "enterprise": enterprise,
        "user": user,
        "handler": handler,
        "head": head,
    }


def raise_case(city, **kw):
    defaults = dict(
        enterprise=city["enterprise"],
        raised_by=city["user"],
        category=Category.FINANCE,
        title="贷款放款慢",
        description="三个月未放款",
    )
    defaults.update(kw)
    return services.case_raise(**defaults)


def test_case_is_routed_by_category_and_district_with_a_working_day_deadline(city):
    # given an enterprise in 金水区 and one in 航空港区
    zone_enterprise = EnterpriseFactory(district="410173")
    # when each raises a finance problem
    case = raise_case(city)
    zone_case = services.case_raise(
        enterprise=zone_enterprise, category=Category.FINANCE, title="t", description="d"
    )
    # then the city-wide rule and the district rule pick the department
    assert case.department == city["finance"]
    assert zone_case.department == city["zone"]
    # and the deadline counts 5 working days
    assert case.due_on == add_workdays(timezone.localdate(case.created_at), 5)  # Shanghai's day
    # and an unknown category falls back to the 'other' rule
    assert raise_case(city, category=Category.LAND).department == city["other"]


def test_bad_input_is_rejected_with_field_reasons_and_nothing_saved(city):
    with pytest.raises(ValidationError) as exc:
        raise_case(city, category="nonsense", title=" ", description="")
    assert set(exc.value.message_dict) == {"category", "title", "description"}
    assert Case.objects.count() == 0


def test_an_enterprise_user_cannot_raise_for_another_enterprise(city):
    with pytest.raises(PermissionDenied):
        raise_case(city, enterprise=EnterpriseFactory())


def test_full_loop_answer_confirm_close_rate(city):
    # given a raised case
    case = raise_case(city)
    # when the department accepts and answers
    services.case_accept(case=case, actor=city["handler"])
    services.case_answer(case=case, actor=city["handler"], reply="已协调银行放款")
    # then the enterprise is told in its inbox
    assert Message.objects.filter(enterprise=city["enterprise"], title__contains="已答复").count() == 1
    # when the enterprise confirms and the department closes
    services.case_confirm(case=case, actor=city["user"], resolved=True)
    services.case_close(case=case, actor=city["handler"])
    # then it is closed and can be rated once
    rating = services.case_rate(case=case, actor=city["user"], score=5, comment="很快")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and rating.score == 5
    assert [e.action for e in case.events.all()] == [
        "raised",
        "accepted",
        "answered",
        "confirmed",
        "closed",
        "rated",
    ]
    with pytest.raises(ValidationError):
        services.case_rate(case=case, actor=city["user"], score=4, comment="")


def test_nothing_is_closed_without_confirmation_or_return_visit(city):
    case = raise_case(city)
    services.case_accept(case=case, actor=city["handler"])
    services.case_answer(case=case, actor=city["handler"], reply="答复")
    with pytest.raises(ValidationError):
        services.case_close(case=case, actor=city["handler"])
    # a recorded return visit is the other way to close
    services.case_return_visit(case=case, actor=city["handler"], summary="电话回访，企业表示已放款")
    services.case_close(case=case, actor=city["handler"])
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_reopen_restarts_the_clock_and_requires_a_reason(city):
    case = raise_case(city)
    services.case_accept(case=case, actor=city["handler"])
    services.case_answer(case=case, actor=city["handler"], reply="答复")
    with pytest.raises(ValidationError):
        services.case_confirm(case=case, actor=city["user"], resolved=False, note="")
    services.case_confirm(case=case, actor=city["user"], resolved=False, note="仍未放款")
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED
    services.case_answer(case=case, actor=city["handler"], reply="已放款")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ANSWERED


def test_bad_rating_reopens_as_a_new_work_item_for_the_department_head(city):
    case = raise_case(city)
    services.case_accept(case=case, actor=city["handler"])
    services.case_answer(case=case, actor=city["handler"], reply="答复")
    services.case_confirm(case=case, actor=city["user"], resolved=True)
    services.case_close(case=case, actor=city["handler"])
    # when the enterprise rates it 2 with a reason
    services.case_rate(case=case, actor=city["user"], score=2, comment="答复敷衍")
    # then a follow-up case exists, escalated, for the same department, and the head is told
    follow_up = Case.objects.get(parent=case)
    assert follow_up.source == CaseSource.RATING and follow_up.escalated and follow_up.is_open
    assert follow_up.department == city["finance"]
    assert Message.objects.filter(user=city["head"], title__contains="差评").count() == 1
    assert not Message.objects.filter(user=city["handler"], title__contains="差评").exists()


def test_only_officials_of_the_department_handle_and_only_the_enterprise_confirms(city):
    case = raise_case(city)
    outsider = OfficialUserFactory(departments=[city["other"]])
    with pytest.raises(PermissionDenied):
        services.case_accept(case=case, actor=outsider)
    services.case_accept(case=case, actor=city["handler"])
    services.case_answer(case=case, actor=city["handler"], reply="答复")
    other_user = EnterpriseUserFactory()
    with pytest.raises(PermissionDenied):
        services.case_confirm(case=case, actor=other_user, resolved=True)


def test_transfer_needs_a_reason_and_moves_the_case(city):
    case = raise_case(city)
    with pytest.raises(ValidationError):
        services.case_transfer(case=case, to_department=city["other"], reason="", actor=city["handler"])
    services.case_transfer(
        case=case, to_department=city["other"], reason="属工信局职责", actor=city["handler"]
    )
    case.refresh_from_db()
    assert case.department == city["other"]
    assert case.events.filter(action="transferred").count() == 1


def test_reminders_before_and_escalation_after_the_limit_happen_once(city):
    case = raise_case(city)
    # two working days before the deadline: a reminder
    before = case.due_on - dt.timedelta(days=1)
    assert services.cases_remind_and_escalate(today=before)["reminded"] == 1
    assert services.cases_remind_and_escalate(today=before)["reminded"] == 0
    # after the deadline: one escalation to the head
    after = case.due_on + dt.timedelta(days=1)
    assert services.cases_remind_and_escalate(today=after) == {"reminded": 0, "escalated": 1}
    assert services.cases_remind_and_escalate(today=after)["escalated"] == 0
    assert Message.objects.filter(user=city["head"], title__contains="超期").count() == 1


def test_an_official_logs_a_hotline_case_on_behalf_of_an_enterprise(city):
    case = services.case_raise(
        enterprise=city["enterprise"],
        logged_by=city["handler"],
        source=CaseSource.HOTLINE,
        category=Category.FINANCE,
        title="热线转办",
        description="企业来电反映",
    )
    assert case.source == CaseSource.HOTLINE and case.raised_by == city["handler"]
    with pytest.raises(PermissionDenied):
        services.case_raise(
            enterprise=city["enterprise"],
            logged_by=city["user"],
            category=Category.FINANCE,
            title="x",
            description="y",
        )
