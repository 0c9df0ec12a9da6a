"""The example enterprises' admin inline: its form refuses a malformed example in Chinese, and
saving the inline runs the examples."""

import json

import pytest
from django.forms.models import inlineformset_factory

from policies.admin_examples import PolicyExampleForm, PolicyExampleFormSet
from policies.models import Policy, PolicyExample
from policies.services import policy_create

pytestmark = pytest.mark.django_db


def _formset(policy, rows):
    FormSet = inlineformset_factory(
        Policy, PolicyExample, form=PolicyExampleForm, formset=PolicyExampleFormSet, extra=0
    )
    data = {"examples-TOTAL_FORMS": str(len(rows)), "examples-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"examples-{i}-{k}": v for k, v in row.items()})
    return FormSet(data, instance=policy, prefix="examples")


def test_the_inline_refuses_a_malformed_profile_in_chinese(drafter, draft_data):
    policy = policy_create(actor=drafter, data=draft_data)
    formset = _formset(
        policy,
        [{"name": "样例", "profile": json.dumps({"district": "火星"}), "as_of": "2026-12-06",
          "expected_verdict": "eligible", "expected_amount": "", "position": "0"}],
    )  # fmt: skip
    assert not formset.is_valid()
    assert "profile.district" in " ".join(formset.forms[0].errors["profile"])
    bad_json = _formset(
        policy,
        [{"name": "样例", "profile": "{district:", "as_of": "2026-12-06", "expected_verdict": "eligible",
          "expected_amount": "", "position": "0"}],
    )  # fmt: skip
    assert not bad_json.is_valid()
    assert bad_json.forms[0].errors["profile"] == ["企业画像不是有效的 JSON。"]


def test_saving_the_inline_runs_the_examples(drafter, draft_data):
    policy = policy_create(actor=drafter, data=draft_data)
    formset = _formset(
        policy,
        [{"name": "注册资本100万", "profile": json.dumps({"district": "410105", "registered_capital": "1000000"}),
          "as_of": "2026-12-06", "expected_verdict": "eligible", "expected_amount": "300000", "position": "0"}],
    )  # fmt: skip
    assert formset.is_valid(), formset.errors
    formset.save()
    example = policy.examples.get()
    assert example.last_run["passed"] is False
    assert example.last_run["summary"].startswith("预期符合，实际不符合")
