"""No enterprise is granted twice for the same policy and period, and within an exclusive
group only the highest award is granted: held by the database, not only by code."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from applications import services
from applications.models import Grant, GrantProposal, GrantStatus, ProposalStatus
from tests.factories.applications import GrantFactory, match_create
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory, OfficialFactory, PolicyFactory

from .conftest import at


def _policy(department, title, amount, group="稳岗从高"):
    return PolicyFactory(
        title=title,
        department=department,
        status="published",
        auto_grant=True,
        exclusive_group=group,
        award={"amount": str(amount)},
    )


@pytest.mark.django_db
def test_a_second_grant_for_the_same_policy_and_period_fails_in_the_database():
    grant = GrantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantFactory(policy=grant.policy, enterprise=grant.enterprise, period="2026")
    # another period is a different grant
    GrantFactory(policy=grant.policy, enterprise=grant.enterprise, period="2027")


@pytest.mark.django_db
def test_a_second_grant_in_the_same_exclusive_group_fails_in_the_database():
    department = DepartmentFactory()
    first = GrantFactory(policy=_policy(department, "A", 1))
    other_policy = _policy(department, "B", 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantFactory(policy=other_policy, enterprise=first.enterprise, period="2026")
    # once the first is cancelled the group is free again
    Grant.objects.filter(pk=first.pk).update(status=GrantStatus.CANCELLED)
    GrantFactory(policy=other_policy, enterprise=first.enterprise, period="2026")


@pytest.mark.django_db
def test_policies_outside_any_group_do_not_exclude_each_other():
    department = DepartmentFactory()
    first = GrantFactory(policy=_policy(department, "A", 1, group=""))
    GrantFactory(policy=_policy(department, "B", 1, group=""), enterprise=first.enterprise)
    assert Grant.objects.count() == 2


@pytest.mark.django_db
def test_within_an_exclusive_group_only_the_highest_award_is_granted(department, official):
    # given an enterprise eligible for two policies of one group: 100,000 and 300,000
    enterprise = EnterpriseFactory()
    low, high = _policy(department, "稳岗补贴", 100000), _policy(department, "稳岗奖励", 300000)
    for p in (low, high):
        match_create(policy=p, enterprise=enterprise)
    # when proposals are generated for both (lower first) and both batches are confirmed
    services.grant_proposals_generate(policy_id=low.pk, period="2026")
    services.grant_proposals_generate(policy_id=high.pk, period="2026")
    assert GrantProposal.objects.get(policy=low).status == ProposalStatus.SUPERSEDED
    with pytest.raises(ValidationError):  # nothing left to confirm for the lower policy
        services.grant_batch_confirm(policy=low, period="2026", actor=official)
    services.grant_batch_confirm(policy=high, period="2026", actor=official)
    # then only the higher award is granted
    assert list(Grant.objects.values_list("policy_id", "amount")) == [(high.pk, Decimal("300000.00"))]


@pytest.mark.django_db
def test_a_higher_award_found_later_replaces_a_lower_grant_not_yet_paid(department, official):
    enterprise = EnterpriseFactory()
    low, high = _policy(department, "稳岗补贴", 100000), _policy(department, "稳岗奖励", 300000)
    match_create(policy=low, enterprise=enterprise)
    services.grant_proposals_generate(policy_id=low.pk, period="2026")
    services.grant_batch_confirm(policy=low, period="2026", actor=official)
    # when the higher policy's match arrives afterwards
    match_create(policy=high, enterprise=enterprise)
    services.grant_proposals_generate(policy_id=high.pk, period="2026")
    # then the lower grant is cancelled with the reason and the higher one can be confirmed
    lower = Grant.objects.get(policy=low)
    assert lower.status == GrantStatus.CANCELLED and "从高不重复" in lower.cancelled_reason
    services.grant_batch_confirm(policy=high, period="2026", actor=official)
    assert Grant.objects.exclude(status=GrantStatus.CANCELLED).get().policy == high


@pytest.mark.django_db
def test_confirming_the_same_batch_twice_grants_once(department, official):
    policy = _policy(department, "一次性奖励", 50000, group="")
    match_create(policy=policy, enterprise=EnterpriseFactory())
    services.grant_proposals_generate(policy_id=policy.pk, period="2026")
    services.grant_batch_confirm(policy=policy, period="2026", actor=official)
    with pytest.raises(ValidationError):
        services.grant_batch_confirm(policy=policy, period="2026", actor=official)
    assert Grant.objects.count() == 1


@pytest.mark.services
def test_concurrent_confirmations_in_one_exclusive_group_grant_once():
    # given two policies of one group whose proposals for the same enterprise are both open
    # (as if the code that supersedes the lower one had a bug or a race)
    department = DepartmentFactory()
    official = OfficialFactory(departments=[department])
    enterprise = EnterpriseFactory()
    policies = [_policy(department, f"P{i}", 100000 * (i + 1)) for i in range(2)]
    for p in policies:
        match_create(policy=p, enterprise=enterprise)
        GrantProposal.objects.create(
            policy=p,
            enterprise=enterprise,
            period="2026",
            exclusive_group=p.exclusive_group,
            amount=Decimal(p.award["amount"]),
            facts={},
            eligible_since=at(2026, 3, 2),
        )
    barrier = threading.Barrier(2)
    errors = []

    def confirm(policy):
        try:
            barrier.wait(timeout=10)
            services.grant_batch_confirm(policy=policy, period="2026", actor=official)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(p,)) for p in policies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # when both confirm at once, then the database lets exactly one grant through
    assert errors == []
    assert Grant.objects.count() == 1
    statuses = sorted(GrantProposal.objects.values_list("status", flat=True))
    assert statuses == ["confirmed", "superseded"]
