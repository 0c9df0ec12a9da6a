"""Example enterprises (样例企业): run on save, in the preview and before publishing; a failing
example or a verdict changed since the last published version blocks publication until a
reviewer acknowledges it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from policies.examples import examples_acknowledge, examples_replace, run_examples
from policies.models import PolicyStatus
from policies.services import (
    policy_create,
    policy_publish,
    policy_reopen,
    policy_submit,
    policy_update,
    policy_withdraw,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 12, 6)
BIG = {"district": "410105", "registered_capital": "8000000"}  # meets VALID_CRITERIA
SMALL = {"district": "410105", "registered_capital": "1000000"}  # capital too small
UNKNOWN = {"district": "410105"}  # capital unknown


def example(name, profile, verdict, amount=None):
    return {
        "name": name,
        "profile": profile,
        "as_of": AS_OF,
        "expected_verdict": verdict,
        "expected_amount": amount,
    }


@pytest.fixture
def draft(drafter, draft_data):
    return policy_create(actor=drafter, data=draft_data)


def test_examples_run_on_save_with_expected_against_actual_and_reasons(draft, drafter):
    # when
    examples_replace(
        policy=draft,
        actor=drafter,
        examples=[
            example("注册资本800万", BIG, "eligible", "300000"),
            example("注册资本100万", SMALL, "not_eligible"),
            example("注册资本未知", UNKNOWN, "possible"),
        ],
    )
    # then each example holds its result, and all pass
    big, small, unknown = draft.examples.order_by("position")
    assert big.last_run["passed"] and big.last_run["verdict"] == "eligible"
    assert Decimal(big.last_run["amount"]) == Decimal("300000")
    assert small.last_run["verdict"] == "not_eligible" and small.last_run["passed"]
    assert unknown.last_run["verdict"] == "possible" and unknown.last_run["passed"]
    # the reasons are the engine's Chinese explanations, condition by condition
    assert any("注册资本" in r and "不符合" in r for r in small.last_run["reasons"])
    assert big.last_run_at is not None

    # when the criteria change on save, the stored results follow
    policy_update(
        policy=draft,
        actor=drafter,
        data={"criteria": {"all": [{"field": "registered_capital", "op": ">=", "value": 10000000}]}},
    )
    big.refresh_from_db()
    assert big.last_run["passed"] is False
    assert big.last_run["summary"].startswith("预期符合，实际不符合")


def test_a_wrong_amount_fails_the_example(draft, drafter):
    report = examples_replace(
        policy=draft, actor=drafter, examples=[example("金额", BIG, "eligible", "200000")]
    )
    (result,) = report.results
    assert not result.passed
    assert "预期金额20万元，实际30万元" in result.summary


def test_a_malformed_example_is_refused_in_chinese(draft, drafter):
    with pytest.raises(ValidationError) as exc:
        examples_replace(
            policy=draft,
            actor=drafter,
            examples=[example("", {"district": "火星"}, "maybe", "-1")],
        )
    messages = " ".join(exc.value.message_dict["examples"])
    assert "请填写样例名称" in messages
    assert "profile.district" in messages
    assert "预期结果应为" in messages
    assert "预期金额应为不小于0的数字" in messages
    assert draft.examples.count() == 0


def test_the_preview_runs_the_examples_on_unsaved_criteria(draft, drafter):
    examples_replace(policy=draft, actor=drafter, examples=[example("大企业", BIG, "eligible", "300000")])
    # when the official tries a stricter threshold without saving
    report = run_examples(
        draft,
        criteria={"all": [{"field": "registered_capital", "op": ">=", "value": 9000000}]},
        award={"amount": "300000"},
    )
    # then the example fails in the preview, and nothing stored changed
    assert not report.passed and report.failed[0].actual_verdict == "not_eligible"
    assert draft.examples.get().last_run["passed"] is True


def test_a_failing_example_blocks_publishing_with_a_clear_message(draft, drafter, reviewer, scheduled):
    examples_replace(policy=draft, actor=drafter, examples=[example("小企业", SMALL, "eligible")])
    policy_submit(policy=draft, actor=drafter)
    # when / then
    with pytest.raises(ValidationError) as exc:
        policy_publish(policy=draft, actor=reviewer)
    message = exc.value.message_dict["examples"][0]
    assert "样例企业未通过，不能发布" in message and "「小企业」预期符合，实际不符合" in message
    draft.refresh_from_db()
    assert draft.status == PolicyStatus.IN_REVIEW and scheduled == []


def test_passing_examples_let_the_policy_publish(draft, drafter, reviewer, scheduled):
    examples_replace(
        policy=draft,
        actor=drafter,
        examples=[example("大企业", BIG, "eligible", "300000"), example("小企业", SMALL, "not_eligible")],
    )
    policy_submit(policy=draft, actor=drafter)
    assert policy_publish(policy=draft, actor=reviewer).status == PolicyStatus.PUBLISHED


def test_a_verdict_changed_since_the_published_version_needs_the_reviewers_acknowledgement(
    draft, drafter, reviewer, scheduled
):
    # given a published policy whose examples pass
    examples_replace(
        policy=draft,
        actor=drafter,
        examples=[example("大企业", BIG, "eligible"), example("小企业", SMALL, "not_eligible")],
    )
    policy = policy_publish(policy=policy_submit(policy=draft, actor=drafter), actor=reviewer)
    # and a revision (withdrawn, reopened, the threshold lowered, the example updated to match)
    policy = policy_withdraw(policy=policy, actor=reviewer, reason="调整门槛")
    policy = policy_reopen(policy=policy, actor=drafter)
    lower = {"all": [{"field": "district", "op": "within", "value": ["4101"]},
                     {"field": "registered_capital", "op": ">=", "value": 1000000}]}  # fmt: skip
    policy = policy_update(policy=policy, actor=drafter, data={"criteria": lower})
    examples_replace(
        policy=policy,
        actor=drafter,
        examples=[example("大企业", BIG, "eligible"), example("小企业", SMALL, "eligible")],
    )
    report = run_examples(policy)
    assert report.passed  # the examples agree with the new criteria …
    (changed,) = report.changed  # … but one verdict differs from the published version's
    assert changed.example.name == "小企业" and changed.published_verdict == "not_eligible"
    policy = policy_submit(policy=policy, actor=drafter)

    # when the reviewer publishes without acknowledging: refused
    with pytest.raises(
        ValidationError,
        match="须审核人员确认后才能发布：「小企业」通过：符合，金额30万元（与已发布版本相比：由不符合变为符合）",
    ):
        policy_publish(policy=policy, actor=reviewer)

    # a drafter may not acknowledge
    with pytest.raises(PermissionDenied):
        examples_acknowledge(policy=policy, actor=drafter)

    # when the reviewer acknowledges: who and when are recorded, and publishing goes ahead
    (acknowledged,) = examples_acknowledge(policy=policy, actor=reviewer)
    acknowledged.refresh_from_db()
    assert acknowledged.acknowledged_by == reviewer and acknowledged.acknowledged_at is not None
    assert policy.versions.filter(comment__startswith="审核人员确认样例变化：「小企业」").exists()
    assert policy_publish(policy=policy, actor=reviewer).status == PolicyStatus.PUBLISHED


def test_an_acknowledgement_holds_only_for_the_result_it_saw(draft, drafter, reviewer, scheduled):
    examples_replace(policy=draft, actor=drafter, examples=[example("小企业", SMALL, "eligible")])
    policy = policy_submit(policy=draft, actor=drafter)
    examples_acknowledge(policy=policy, actor=reviewer)
    assert run_examples(policy).needs_ack == []
    # when the criteria change again, the example's failure is new: acknowledge again
    policy_update(
        policy=policy,
        actor=drafter,
        data={"criteria": {"all": [{"field": "registered_capital", "op": ">=", "value": 2000000}]}},
    )
    policy.refresh_from_db()
    assert [r.example.name for r in run_examples(policy).needs_ack] == ["小企业"]


def test_revising_a_published_policy_that_flips_a_verdict_is_refused_unless_acknowledged(
    draft, drafter, reviewer, scheduled
):
    examples_replace(policy=draft, actor=drafter, examples=[example("小企业", SMALL, "not_eligible")])
    policy = policy_publish(policy=policy_submit(policy=draft, actor=drafter), actor=reviewer)
    lower = {"all": [{"field": "registered_capital", "op": ">=", "value": 1000000}]}
    # when / then
    with pytest.raises(ValidationError, match="「小企业」预期不符合，实际符合"):
        policy_update(policy=policy, actor=reviewer, data={"criteria": lower})
    policy.refresh_from_db()
    assert policy.criteria["all"][0]["field"] == "district"  # nothing saved
    # with the reviewer's acknowledgement the revision applies and is recorded
    policy = policy_update(policy=policy, actor=reviewer, data={"criteria": lower}, acknowledge_examples=True)
    assert policy.criteria == lower
    assert policy.examples.get().acknowledged_by == reviewer


def test_examples_are_part_of_the_policy_history(draft, drafter):
    examples_replace(policy=draft, actor=drafter, examples=[example("大企业", BIG, "eligible")])
    policy_update(policy=draft, actor=drafter, data={"summary": "新摘要"})
    latest = draft.versions.order_by("-number").first()
    assert latest.snapshot["examples"][0]["name"] == "大企业"
    assert "examples" in latest.changes
