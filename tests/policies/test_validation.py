import pytest
from django.core.exceptions import ValidationError

from policies.models import Policy, PolicyVersion
from policies.services import policy_create, policy_update

pytestmark = pytest.mark.django_db


def test_unknown_field_in_criteria_blocks_saving_and_names_the_path(drafter, draft_data):
    # given
    draft_data["criteria"] = {
        "all": [
            {"field": "district", "op": "within", "value": ["4101"]},
            {"field": "no_such_field", "op": "=", "value": 1},
        ]
    }
    # when
    with pytest.raises(ValidationError) as exc:
        policy_create(actor=drafter, data=draft_data)
    # then
    messages = exc.value.message_dict["criteria"]
    assert any(m.startswith("all[1]") for m in messages), messages
    assert not Policy.objects.exists() and not PolicyVersion.objects.exists()


def test_empty_value_list_is_rejected_with_its_path(drafter, draft_data):
    draft_data["criteria"] = {"all": [{"field": "industry", "op": "within", "value": []}]}
    with pytest.raises(ValidationError) as exc:
        policy_create(actor=drafter, data=draft_data)
    assert any(m.startswith("all[0]") for m in exc.value.message_dict["criteria"])


def test_bad_award_is_rejected_with_its_path_and_nothing_changes(drafter, draft_data):
    # given
    policy = policy_create(actor=drafter, data=draft_data)
    # when
    with pytest.raises(ValidationError) as exc:
        policy_update(
            policy=policy, actor=drafter, data={"title": "改了", "award": {"amount": "__import__('os')"}}
        )
    # then
    assert "award" in exc.value.message_dict
    policy.refresh_from_db()
    assert policy.title == draft_data["title"] and policy.versions.count() == 1


def test_criteria_and_field_errors_are_reported_together(drafter, draft_data):
    draft_data.update(
        title="", apply_start="2026-12-31", apply_end="2026-12-01", criteria={"any": "x"}, level="galactic"
    )
    with pytest.raises(ValidationError) as exc:
        policy_create(actor=drafter, data=draft_data)
    errors = exc.value.message_dict
    assert {"title", "apply_end", "criteria", "level"} <= set(errors)
    assert "申报截止日期不能早于申报开始日期" in errors["apply_end"][0]


def test_unknown_policy_field_is_rejected(drafter, draft_data):
    draft_data["colour"] = "red"
    with pytest.raises(ValidationError) as exc:
        policy_create(actor=drafter, data=draft_data)
    assert exc.value.message_dict["colour"] == ["未知字段「colour」。"]


def test_criteria_are_stored_normalised(drafter, draft_data):
    # given a district given by its Chinese name
    draft_data["criteria"] = {"all": [{"field": "district", "op": "within", "value": ["金水区"]}]}
    # when
    policy = policy_create(actor=drafter, data=draft_data)
    # then it is stored as its code, and the facet follows
    assert policy.criteria["all"][0]["value"] == ["410105"]
    assert Policy.objects.get(pk=policy.pk).districts == ["410105"]
