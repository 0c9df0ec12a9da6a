import pytest
from django.core.exceptions import PermissionDenied, ValidationError

import policies.services
from policies.models import PolicyStatus
from policies.permissions import user_can_edit_policy, user_can_publish_policy
from policies.services import (
    policy_create,
    policy_publish,
    policy_return,
    policy_submit,
    policy_update,
    policy_withdraw,
)

pytestmark = pytest.mark.django_db


def test_drafter_creates_a_draft_of_their_department(drafter, draft_data):
    # when
    policy = policy_create(
        actor=drafter, data=draft_data, interpretations=[{"title": "解读", "body": "内容"}]
    )
    # then
    assert policy.status == PolicyStatus.DRAFT
    assert policy.created_by == drafter
    assert policy.interpretations.count() == 1
    assert policy.versions.count() == 1


def test_official_cannot_draft_for_another_department(other_reviewer, draft_data):
    with pytest.raises(PermissionDenied, match="不是「郑州市工业和信息化局」的工作人员"):
        policy_create(actor=other_reviewer, data=draft_data)


def test_drafter_cannot_publish_even_after_submitting(drafter, draft_data, scheduled):
    # given
    policy = policy_submit(policy=policy_create(actor=drafter, data=draft_data), actor=drafter)
    # when / then
    assert not user_can_publish_policy(drafter, policy)
    with pytest.raises(PermissionDenied, match="没有审核发布政策的权限"):
        policy_publish(policy=policy, actor=drafter)
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.IN_REVIEW
    assert scheduled == []


def test_reviewer_cannot_publish_own_draft(reviewer, draft_data, scheduled):
    # given a reviewer who drafted the policy themselves
    policy = policy_create(actor=reviewer, data=draft_data)
    # when / then
    with pytest.raises(PermissionDenied, match="不能审核发布自己起草的政策"):
        policy_publish(policy=policy, actor=reviewer)
    assert scheduled == []


def test_reviewer_of_another_department_cannot_publish(drafter, other_reviewer, draft_data, scheduled):
    policy = policy_submit(policy=policy_create(actor=drafter, data=draft_data), actor=drafter)
    with pytest.raises(PermissionDenied, match="只有本部门的审核人员"):
        policy_publish(policy=policy, actor=other_reviewer)
    assert not user_can_edit_policy(other_reviewer, policy)


def test_reviewer_of_the_department_publishes_and_matching_starts(drafter, reviewer, draft_data, scheduled):
    # given
    policy = policy_submit(policy=policy_create(actor=drafter, data=draft_data), actor=drafter)
    # when
    policy = policy_publish(policy=policy, actor=reviewer)
    # then
    assert policy.status == PolicyStatus.PUBLISHED
    assert policy.published_by == reviewer and policy.published_at is not None
    assert scheduled == [(policy.pk, "published")]
    assert [v.comment for v in policy.versions.order_by("number")] == ["创建草稿", "提交审核", "审核发布"]


def test_superuser_publishes_own_draft(superuser, draft_data, scheduled):
    policy = policy_create(actor=superuser, data=draft_data)
    policy = policy_publish(policy=policy, actor=superuser)
    assert policy.status == PolicyStatus.PUBLISHED


def test_published_policy_is_revised_only_by_reviewers(drafter, reviewer, draft_data, scheduled):
    # given a published policy
    policy = policy_publish(policy=policy_create(actor=drafter, data=draft_data), actor=reviewer)
    # when the drafter tries to change it
    with pytest.raises(PermissionDenied, match="只能由本部门审核人员修订"):
        policy_update(policy=policy, actor=drafter, data={"title": "改"})
    # then it is unchanged
    policy.refresh_from_db()
    assert policy.title == draft_data["title"]


def test_reviewer_returns_policy_to_drafter_with_a_reason(drafter, reviewer, draft_data):
    policy = policy_submit(policy=policy_create(actor=drafter, data=draft_data), actor=drafter)
    with pytest.raises(ValidationError):
        policy_return(policy=policy, actor=reviewer, reason=" ")
    policy = policy_return(policy=policy, actor=reviewer, reason="请补充文号")
    assert policy.status == PolicyStatus.DRAFT
    assert policy.versions.order_by("-number").first().comment == "退回修改：请补充文号"


def test_withdraw_ends_matching_and_needs_a_reviewer(drafter, reviewer, draft_data, scheduled):
    policy = policy_publish(policy=policy_create(actor=drafter, data=draft_data), actor=reviewer)
    with pytest.raises(PermissionDenied):
        policy_withdraw(policy=policy, actor=drafter, reason="")
    policy = policy_withdraw(policy=policy, actor=reviewer, reason="政策调整")
    assert policy.status == PolicyStatus.WITHDRAWN
    assert scheduled[-1] == (policy.pk, "withdrawn")
    with pytest.raises(ValidationError, match="只有已发布的政策可以撤回"):
        policy_withdraw(policy=policy, actor=reviewer)


def test_withdrawn_policy_cannot_be_published_again(drafter, reviewer, draft_data, scheduled):
    policy = policy_publish(policy=policy_create(actor=drafter, data=draft_data), actor=reviewer)
    policy = policy_withdraw(policy=policy, actor=reviewer)
    with pytest.raises(ValidationError, match="已撤回"):
        policy_publish(policy=policy, actor=reviewer)


def test_publish_calls_the_matching_pipeline_service(drafter, reviewer, draft_data, monkeypatch):
    # given the pipeline's scheduling service (the real one, whatever it does) is observed
    calls = []
    monkeypatch.setattr(policies.services, "policy_matching_schedule", lambda **kw: calls.append(kw))
    policy = policy_create(actor=drafter, data=draft_data)
    # when
    policy_publish(policy=policy, actor=reviewer)
    # then
    assert calls == [{"policy_id": policy.pk, "reason": "published"}]
