"""The demo policies carry example enterprises, and they pass (publishing checks them)."""

import pytest

from policies import demo
from policies.demo_data import POLICIES
from policies.demo_examples import EXAMPLES
from policies.examples import run_examples
from policies.models import Policy, PolicyStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_matching(monkeypatch):
    monkeypatch.setattr("policies.services._schedule_matching", lambda **kw: None)


def test_every_example_names_a_demo_policy():
    assert set(EXAMPLES) <= {spec["title"] for spec in POLICIES}


def test_every_demo_policy_in_force_carries_passing_examples():
    # when
    demo.load(enterprises=0, seed=1)
    # then each published policy has an eligible and a not-eligible example, all passing
    published = Policy.objects.filter(status=PolicyStatus.PUBLISHED).prefetch_related("examples")
    assert published.count() == len(POLICIES)
    for policy in published:
        verdicts = {e.expected_verdict for e in policy.examples.all()}
        assert {"eligible", "not_eligible"} <= verdicts, policy.title
        assert all(e.last_run["passed"] for e in policy.examples.all()), policy.title
        assert run_examples(policy).passed, policy.title
    # and the kinds of amount the issue names are all there
    kinds = {p.award_kind for p in published}
    assert {"fixed", "formula", "tiered", "up_to", "competitive"} <= kinds
    assert Policy.objects.get(title="郑州市市长质量奖奖励").award_kind == "competitive"
