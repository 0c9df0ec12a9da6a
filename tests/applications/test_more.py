from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from applications import services, tasks
from applications.models import GrantProposal
from tests.factories.applications import match_create
from tests.factories.policies import PolicyFactory

from .conftest import at, pdf

pytestmark = pytest.mark.django_db


def submit(policy, user, material, now):
    return services.application_submit(
        policy=policy,
        enterprise=user.enterprise,
        applicant=user,
        declared={"rd_expense": "2500000", "contact_name": "李经理", "contact_phone": "13812345678"},
        files=[(material.pk, pdf())],
        now=now,
    )


def test_officials_see_the_contact_phone_masked_and_the_enterprise_sees_it_whole(
    client, policy, enterprise_user, official, audit_material
):
    application = submit(policy, enterprise_user, audit_material, at(2025, 9, 26))
    client.force_login(official)
    html = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    client.force_login(enterprise_user)
    assert "13812345678" in client.get(reverse("applications:detail", args=[application.pk])).content.decode()


def test_a_correction_may_change_a_declared_value_and_keeps_the_rest(
    policy, enterprise_user, official, audit_material
):
    application = submit(policy, enterprise_user, audit_material, at(2025, 9, 26))
    services.application_return(
        application=application, actor=official, reasons="研发费用与审计报告不一致", now=at(2025, 9, 29)
    )
    application = services.application_resubmit(
        application=application,
        actor=enterprise_user,
        declared={"rd_expense": "2400000"},
        files=[],
        now=at(2025, 9, 30),
    )
    assert application.declared["rd_expense"] == "2400000"
    assert application.declared["contact_phone"] == "13812345678"
    # only the enterprise itself may correct
    services.application_return(application=application, actor=official, reasons="再核", now=at(2025, 9, 30))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.application_resubmit(application=application, actor=official, declared={}, files=[])


def test_the_enterprise_can_withdraw_an_open_application_and_apply_again(
    policy, enterprise_user, audit_material
):
    application = submit(policy, enterprise_user, audit_material, at(2025, 9, 26))
    services.application_withdraw(application=application, actor=enterprise_user, now=at(2025, 9, 27))
    again = submit(policy, enterprise_user, audit_material, at(2025, 9, 28))
    assert again.pk != application.pk and again.status == "submitted"


def test_an_approval_cannot_be_decided_twice(policy, enterprise_user, official, audit_material):
    from django.core.exceptions import ValidationError

    application = submit(policy, enterprise_user, audit_material, at(2025, 9, 26))
    services.application_approve(
        application=application, actor=official, amount=Decimal("1000"), now=at(2025, 9, 29)
    )
    with pytest.raises(ValidationError):
        services.application_reject(application=application, actor=official, reasons="改判")
    with pytest.raises(ValidationError):
        services.application_approve(application=application, actor=official, amount=Decimal("2000"))


def test_the_beat_schedule_has_the_escalation_and_proposal_runs():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"applications.escalate_overdue", "applications.grant_proposals_generate"} <= tasks_scheduled


def test_the_proposal_task_covers_every_published_auto_grant_policy_and_is_idempotent(department, enterprise):
    published = PolicyFactory(
        department=department, status="published", auto_grant=True, award={"amount": "1000"}
    )
    draft = PolicyFactory(department=department, status="draft", auto_grant=True, award={"amount": "1000"})
    for p in (published, draft):
        match_create(policy=p, enterprise=enterprise)
    assert tasks.grant_proposals_generate_task() == 1
    assert tasks.grant_proposals_generate_task() == 0
    assert list(GrantProposal.objects.values_list("policy_id", "amount")) == [
        (published.pk, Decimal("1000.00"))
    ]


def test_a_proposal_whose_match_ended_is_excluded_at_confirmation_not_granted(department, official):
    from applications.models import Grant
    from matching.models import Match
    from tests.factories.enterprises import EnterpriseFactory

    policy = PolicyFactory(
        department=department, status="published", auto_grant=True, award={"amount": "1000"}
    )
    stays, leaves = EnterpriseFactory(), EnterpriseFactory()
    for e in (stays, leaves):
        match_create(policy=policy, enterprise=e)
    services.grant_proposals_generate(policy_id=policy.pk, period="2026")
    Match.objects.filter(policy=policy, enterprise=leaves).update(status="ended")
    batch = services.grant_batch_confirm(policy=policy, period="2026", actor=official)
    assert batch.count == 1
    assert list(Grant.objects.values_list("enterprise_id", flat=True)) == [stays.pk]
    assert GrantProposal.objects.get(enterprise=leaves).status == "excluded"
