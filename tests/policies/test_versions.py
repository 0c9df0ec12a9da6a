import pytest
from django.core.exceptions import ValidationError

from policies.models import Policy
from policies.services import policy_create, policy_publish, policy_update

pytestmark = pytest.mark.django_db


def test_every_change_keeps_a_version_with_who_and_what(drafter, draft_data):
    # given
    policy = policy_create(actor=drafter, data=draft_data)
    # when
    policy_update(policy=policy, actor=drafter, data={"title": "新标题", "apply_end": "2026-12-31"})
    # then
    latest = policy.versions.order_by("-number").first()
    assert latest.number == 2 and latest.changed_by == drafter
    assert set(latest.changes) == {"title", "apply_end"}
    assert latest.changes["title"] == {"label": "标题", "old": draft_data["title"], "new": "新标题"}
    assert latest.changes["apply_end"]["new"] == "2026-12-31"
    assert latest.snapshot["title"] == "新标题"


def test_saving_without_change_keeps_no_new_version(drafter, draft_data):
    policy = policy_create(actor=drafter, data=draft_data)
    policy_update(policy=policy, actor=drafter, data={"title": draft_data["title"]})
    assert policy.versions.count() == 1


def test_criteria_change_is_shown_as_a_readable_chinese_diff(drafter, draft_data):
    # given
    policy = policy_create(actor=drafter, data=draft_data)
    new_criteria = {
        "all": [
            {"field": "district", "op": "within", "value": ["4101"]},
            {"field": "registered_capital", "op": ">=", "value": 10000000},
        ]
    }
    # when
    policy_update(policy=policy, actor=drafter, data={"criteria": new_criteria})
    # then the diff keeps the unchanged line and replaces the changed one, in Chinese
    diff = policy.versions.order_by("-number").first().changes["criteria"]["diff"]
    kept = [line for line in diff if line.startswith("  ")]
    removed = [line for line in diff if line.startswith("- ")]
    added = [line for line in diff if line.startswith("+ ")]
    assert len(kept) == 1 and "郑州" in kept[0]
    assert len(removed) == 1 and len(added) == 1
    assert "注册资本" in removed[0] and "注册资本" in added[0]
    assert removed[0] != added[0]


def test_revising_a_published_policys_criteria_bumps_match_version_and_rematches(
    drafter, reviewer, draft_data, scheduled
):
    # given
    policy = policy_publish(policy=policy_create(actor=drafter, data=draft_data), actor=reviewer)
    assert policy.match_version == 1
    # when
    policy = policy_update(policy=policy, actor=reviewer, data={"award": {"amount": "500000"}})
    # then
    assert Policy.objects.get(pk=policy.pk).version == 2
    assert policy.versions.order_by("-number").first().match_version == 2
    assert scheduled[-1] == (policy.pk, "revised")


def test_revising_only_the_text_of_a_published_policy_keeps_match_version(
    drafter, reviewer, draft_data, scheduled
):
    policy = policy_publish(policy=policy_create(actor=drafter, data=draft_data), actor=reviewer)
    policy_update(policy=policy, actor=reviewer, data={"summary": "新的摘要"})
    assert Policy.objects.get(pk=policy.pk).version == 1
    assert scheduled == [(policy.pk, "published")]


def test_draft_edits_do_not_bump_match_version(drafter, draft_data, scheduled):
    policy = policy_create(actor=drafter, data=draft_data)
    policy_update(policy=policy, actor=drafter, data={"auto_grant": True})
    assert Policy.objects.get(pk=policy.pk).version == 1
    assert scheduled == []


def test_interpretations_are_part_of_the_version(drafter, draft_data):
    policy = policy_create(actor=drafter, data=draft_data, interpretations=[{"title": "一图读懂"}])
    policy_update(
        policy=policy,
        actor=drafter,
        data={},
        interpretations=[
            {"title": "一图读懂"},
            {"title": "问答", "kind": "qa", "question": "谁能申报？", "answer": "郑州市企业"},
        ],
    )
    change = policy.versions.order_by("-number").first().changes["interpretations"]
    assert len(change["old"]) == 1 and len(change["new"]) == 2


def test_interpretation_without_title_is_rejected(drafter, draft_data):
    with pytest.raises(ValidationError) as exc:
        policy_create(actor=drafter, data=draft_data, interpretations=[{"body": "x"}])
    assert "第1项缺少标题" in exc.value.message_dict["interpretations"][0]
    assert not Policy.objects.exists()
