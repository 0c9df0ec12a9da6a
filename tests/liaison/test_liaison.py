import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from appeals.models import Case, CaseSource, Category, RoutingRule
from liaison import selectors, services
from liaison.models import Assignment, AssignmentRole
from tests.factories.accounts import OfficialUserFactory, UserFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_one_active_lead_per_enterprise_is_held_by_the_database():
    enterprise = EnterpriseFactory()
    a, b = OfficialUserFactory(), OfficialUserFactory()
    services.assignment_create(enterprise=enterprise, official=a)
    with pytest.raises(ValidationError):
        services.assignment_create(enterprise=enterprise, official=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(enterprise=enterprise, official=b, role=AssignmentRole.LEAD)
    services.assignment_create(enterprise=enterprise, official=b, role=AssignmentRole.HELPER)
    with pytest.raises(ValidationError):
        services.assignment_create(enterprise=EnterpriseFactory(), official=UserFactory())


def test_reassignment_moves_every_enterprise_and_keeps_history():
    leaving, successor = OfficialUserFactory(), OfficialUserFactory()
    enterprises = [EnterpriseFactory() for _ in range(3)]
    for e in enterprises:
        services.assignment_create(enterprise=e, official=leaving)
    moved = services.assignments_reassign(from_official=leaving, to_official=successor, reason="调岗")
    assert moved == 3
    assert Assignment.objects.filter(official=successor, active=True, role="lead").count() == 3
    assert Assignment.objects.filter(official=leaving, active=False, end_reason="调岗").count() == 3


def test_coverage_counts_enterprises_with_an_active_lead_per_district():
    official = OfficialUserFactory()
    covered = EnterpriseFactory(district="410105")
    EnterpriseFactory(district="410105")
    EnterpriseFactory(district="410102")
    services.assignment_create(enterprise=covered, official=official)
    rows = {r["district"]: r for r in selectors.coverage_by_district()}
    assert rows["410105"]["covered"] == 1 and rows["410105"]["total"] == 2 and rows["410105"]["rate"] == 50.0
    assert rows["410102"]["covered"] == 0
    assert rows["410105"]["name"] == "金水区"
    assert selectors.coverage_total()["covered"] == 1


def test_problems_found_on_a_visit_enter_the_case_ledger():
    dept = DepartmentFactory()
    RoutingRule.objects.create(category=Category.OTHER, department=dept)
    official = OfficialUserFactory(departments=[dept])
    enterprise = EnterpriseFactory()
    visit = services.visit_record(
        enterprise=enterprise,
        visited_on=timezone.localdate(),
        officials=[],
        actor=official,
        discussed="了解扩产计划",
        problems=[{"category": "land", "title": "用地指标不足", "description": "扩产需要20亩"}],
    )
    case = Case.objects.get()
    assert (
        case.source == CaseSource.VISIT
        and case.enterprise == enterprise
        and list(visit.cases.all()) == [case]
    )
    assert list(visit.officials.all()) == [official]
    with pytest.raises(ValidationError) as exc:
        services.visit_record(
            enterprise=enterprise,
            visited_on=timezone.localdate() + dt.timedelta(days=2),
            officials=[],
            actor=official,
            discussed="",
        )
    assert set(exc.value.message_dict) == {"discussed", "visited_on"}
