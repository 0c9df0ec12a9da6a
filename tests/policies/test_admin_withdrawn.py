"""The admin change page of a published or withdrawn policy opens for its drafter, its reviewer
and the superuser; a withdrawn policy is reopened as a draft, revised, sent for review and
published again from the admin."""

import pytest
from django.urls import reverse

from policies.models import Policy, PolicyStatus
from policies.services import policy_create, policy_publish, policy_withdraw
from tests.policies.admin_forms import policy_admin_transition, policy_change_form

pytestmark = pytest.mark.django_db

USERS = ["drafter", "reviewer", "superuser"]


def _published(drafter, reviewer, draft_data) -> Policy:
    return policy_publish(policy=policy_create(actor=drafter, data=draft_data), actor=reviewer)


def _withdrawn(drafter, reviewer, draft_data) -> Policy:
    return policy_withdraw(
        policy=_published(drafter, reviewer, draft_data), actor=reviewer, reason="政策调整"
    )


def _change_url(policy: Policy) -> str:
    return reverse("admin:policies_policy_change", args=[policy.pk])


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("state", ["published", "withdrawn"])
def test_change_page_of_a_published_or_withdrawn_policy_opens(
    client, request, drafter, reviewer, draft_data, scheduled, who, state
):
    # given
    policy = (_published if state == "published" else _withdrawn)(drafter, reviewer, draft_data)
    client.force_login(request.getfixturevalue(who))
    # when
    response = client.get(_change_url(policy))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert policy.title in html
    assert "注册资本" in html  # the criteria, rendered in Chinese


@pytest.mark.parametrize("who", USERS)
def test_withdrawn_policy_offers_reopening_to_the_departments_officials(
    client, request, drafter, reviewer, draft_data, scheduled, who
):
    policy = _withdrawn(drafter, reviewer, draft_data)
    client.force_login(request.getfixturevalue(who))
    html = client.get(_change_url(policy)).content.decode()
    assert reverse("admin:policies_policy_transition", args=[policy.pk, "reopen"]) in html
    assert "重新修订" in html


@pytest.mark.parametrize("who", USERS)
def test_withdrawn_policy_is_reopened_revised_and_published_again(
    client, request, drafter, reviewer, draft_data, scheduled, who
):
    # given a withdrawn policy
    policy = _withdrawn(drafter, reviewer, draft_data)
    version = policy.version
    actor = request.getfixturevalue(who)
    client.force_login(actor)
    # when it is reopened and revised by one of its officials
    response = policy_admin_transition(client, policy, "reopen", reason="提高门槛后重新发布")
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT
    criteria = {
        "all": [
            {"field": "district", "op": "within", "value": ["4101"]},
            {"field": "registered_capital", "op": ">=", "value": 8000000},
        ]
    }
    response = client.post(_change_url(policy), policy_change_form(policy, criteria=criteria))
    assert response.status_code == 302, response.content.decode()[:2000]
    # and sent for review by the drafter and published by the reviewer
    client.force_login(drafter)
    policy_admin_transition(client, policy, "submit")
    client.force_login(reviewer)
    policy_admin_transition(client, policy, "publish")
    # then
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED
    assert policy.criteria["all"][1]["value"] == 8000000
    assert policy.version == version + 1
    assert scheduled[-1] == (policy.pk, "published")
    comments = list(policy.versions.order_by("number").values_list("comment", flat=True))
    assert "撤回后重新修订：提高门槛后重新发布" in comments


def test_official_of_another_department_cannot_reopen(
    client, drafter, reviewer, other_reviewer, draft_data, scheduled
):
    policy = _withdrawn(drafter, reviewer, draft_data)
    client.force_login(other_reviewer)
    response = policy_admin_transition(client, policy, "reopen")
    assert response.status_code == 404  # not among the policies the official may see
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.WITHDRAWN


def test_only_a_withdrawn_policy_can_be_reopened(client, drafter, reviewer, draft_data, scheduled):
    policy = _published(drafter, reviewer, draft_data)
    client.force_login(reviewer)
    response = policy_admin_transition(client, policy, "reopen")
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("只有已撤回的政策可以重新修订" in m for m in messages)
