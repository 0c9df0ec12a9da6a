"""The liaison briefing lists the eligible policies the enterprise has not claimed yet and its
grants: a claim is a live application or a standing grant (``policy_ids_claimed_by``)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import GrantStatus
from applications.selectors import policy_ids_claimed_by
from liaison import selectors as liaison_selectors
from liaison import services as liaison_services
from tests.factories.applications import GrantFactory, match_create
from tests.factories.policies import PolicyFactory

from .conftest import pdf

pytestmark = pytest.mark.django_db


def _apply(policy, user, material):
    return services.application_submit(
        policy=policy,
        enterprise=user.enterprise,
        applicant=user,
        declared={"rd_expense": "2500000", "contact_name": "李经理", "contact_phone": "13812345678"},
        files=[(material.pk, pdf())],
        now=timezone.now(),
    )


@pytest.fixture
def claims(policy, audit_material, enterprise_user, department):
    """Four eligible policies: one applied for, one granted, one applied for and withdrawn,
    one untouched; and a cancelled grant that claims nothing."""
    enterprise = enterprise_user.enterprise
    granted = PolicyFactory(title="免申即享奖励", department=department, status="published", auto_grant=True)
    withdrawn = PolicyFactory(title="撤回过的政策", department=department, status="published")
    untouched = PolicyFactory(title="尚未申领的政策", department=department, status="published")
    cancelled = PolicyFactory(
        title="已作废的奖补", department=department, status="published", auto_grant=True
    )
    for p in (policy, granted, withdrawn, untouched, cancelled):
        match_create(policy=p, enterprise=enterprise)
    _apply(policy, enterprise_user, audit_material)
    withdrawn.materials.create(name="审计报告", required=False, position=0)
    services.application_withdraw(
        application=_apply(withdrawn, enterprise_user, withdrawn.materials.get()),
        actor=enterprise_user,
    )
    GrantFactory(policy=granted, enterprise=enterprise)
    GrantFactory(policy=cancelled, enterprise=enterprise, status=GrantStatus.CANCELLED)
    return {
        "applied": policy,
        "granted": granted,
        "withdrawn": withdrawn,
        "untouched": untouched,
        "cancelled": cancelled,
    }


def test_a_live_application_or_a_standing_grant_claims_a_policy(claims, enterprise):
    # when the claimed policies are read
    claimed = policy_ids_claimed_by(enterprise_id=enterprise.pk)
    # then the applied and the granted are claimed; withdrawn, untouched and cancelled are not
    assert claimed == {claims["applied"].pk, claims["granted"].pk}


def test_briefing_lists_unclaimed_policies_and_the_grants(claims, enterprise, official, client):
    # given the official is the enterprise's liaison
    liaison_services.assignment_create(enterprise=enterprise, official=official)
    # when the briefing is read
    briefing = liaison_selectors.briefing_for_enterprise(enterprise=enterprise)
    # then only the unclaimed eligible policies are offered, and the standing grant is listed
    unclaimed = {m.policy_id for m in briefing["unclaimed_matches"]}
    assert unclaimed == {claims["withdrawn"].pk, claims["untouched"].pk, claims["cancelled"].pk}
    assert [g.policy_id for g in briefing["grants"]] == [claims["granted"].pk]
    # and the page names the granted policy with its amount
    client.force_login(official)
    html = client.get(reverse("liaison:briefing", args=[enterprise.pk])).content.decode()
    assert "免申即享奖励" in html and "100000" in html
    assert "研发费用后补助" not in html
