"""Publishing policies of real-world shape works on the embedded default (issue 14): before,
an ``any`` of a few dozen two-condition ``all``s, or six conditions with an award of four
capped cases, failed with SQLite's "parser stack overflow". Published through the services
with eager tasks, every match (status, missing data, amount) equals the Python evaluator.
(Not marked: they run on PostgreSQL as well when DATABASE_URL is set.)"""

import random
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from enterprises.models import Enterprise, IndicatorDefinition
from matching.criteria import award_amount, evaluate
from matching.criteria.award import MAX_CASES
from matching.criteria.award import MAX_DEPTH as AMOUNT_DEPTH
from matching.criteria.validate import MAX_CONDITIONS, MAX_DEPTH
from matching.models import Match
from matching.profiles import profiles_load
from policies.selectors import policy_reach
from policies.services import policy_create, policy_publish, policy_submit
from tests.criteria.conftest import define_extras, stock_sqlite_limits  # noqa: F401 (a fixture)
from tests.criteria.test_compile_large import POOL, award_of, depth_of, leaves_of, tree_of
from tests.criteria.test_property import _city
from tests.factories.enterprises import EnterpriseFactory, EnterpriseTagFactory, IndicatorValueFactory
from tests.factories.policies import DepartmentFactory, OfficialFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stock_sqlite_limits")]

STEPS = [1_000_000 * (i + 1) for i in range(36)]  # 100万, 200万, … 3600万


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officials():
    department = DepartmentFactory(code="zz-big", name="郑州市大政策局")
    drafter = OfficialFactory(username="big-drafter", departments=[department])
    reviewer = OfficialFactory(username="big-reviewer", departments=[department], reviewer=True)
    return department, drafter, reviewer


def publish(officials, capture, *, criteria, award):
    department, drafter, reviewer = officials
    data = {"title": "大型政策", "department": department.code, "summary": "测试。", "body": "正文",
            "criteria": criteria, "award": award}  # fmt: skip
    policy = policy_submit(policy=policy_create(actor=drafter, data=data), actor=drafter)
    with capture(execute=True):
        policy = policy_publish(policy=policy, actor=reviewer)
    policy.refresh_from_db()
    return policy


def assert_matches_equal_the_evaluator(policy) -> dict:
    """Every enterprise: a match row exactly when the evaluator says eligible or possible, with its
    status, its missing data and its amount (exact on PostgreSQL, to the cent on SQLite)."""
    today = timezone.localdate()
    rows = {m.enterprise_id: m for m in Match.objects.filter(policy=policy)}
    counts = {"eligible": 0, "possible": 0, "not_eligible": 0, "amounts": 0}
    profiles = profiles_load(queryset=Enterprise.objects.all())
    assert profiles
    for pk, profile in profiles.items():
        ev = evaluate(policy.criteria, profile, as_of=today)
        counts[ev.result] += 1
        if ev.result == "not_eligible":
            assert pk not in rows or rows[pk].status == "ended", pk
            continue
        row = rows[pk]
        assert row.status == ev.result, (pk, row.status, ev.result)
        assert (row.missing or []) == ev.missing, (pk, row.missing, ev.missing)
        expected = award_amount(policy.award, profile, as_of=today).amount
        assert (row.amount is None) == (expected is None), (pk, row.amount, expected)
        if expected is not None:
            counts["amounts"] += 1
            assert abs(row.amount - expected) <= Decimal("0.01"), (pk, row.amount, expected)
    return counts


def steps_tree(last: str, before: str) -> dict:
    """ "The first year revenue passes a step": an ``any`` of one two-condition ``all`` per step."""
    return {"any": [{"all": [{"field": "revenue", "period": last, "op": ">=", "value": step},
                             {"field": "revenue", "period": before, "op": "<", "value": step}]}
                    for step in STEPS]}  # fmt: skip


def test_an_any_of_three_dozen_two_condition_alls_publishes(officials, django_capture_on_commit_callbacks):
    # given enterprises whose revenue passed a step last year, stayed within one, is unknown
    # for the year before (possible), or is not there at all
    year = timezone.localdate().year
    last, before = str(year - 1), str(year - 2)
    revenues = {"passed": ("5500000", "4500000"), "flat": ("5500000", "5200000"),
                "fell": ("3000000", "9000000"), "new": ("12500000", None), "none": (None, None),
                "big": ("40000000", "2000000")}  # fmt: skip
    ids = {}
    for name, (a, b) in revenues.items():
        e = EnterpriseFactory()
        ids[name] = e.pk
        for period, value in ((last, a), (before, b)):
            if value is not None:
                IndicatorValueFactory(enterprise=e, period=period, value=Decimal(value))
    # when a policy of 36 steps (72 conditions) is published on the embedded default
    policy = publish(officials, django_capture_on_commit_callbacks, criteria=steps_tree(last, before),
                     award={"amount": "min(0.02 * revenue@last_year, 50万)"})  # fmt: skip
    # then the matches are written and equal the evaluator's verdicts
    statuses = dict(Match.objects.filter(policy=policy).values_list("enterprise_id", "status"))
    assert statuses == {ids["passed"]: "eligible", ids["big"]: "eligible", ids["new"]: "possible",
                        ids["none"]: "possible"}  # fmt: skip
    assert_matches_equal_the_evaluator(policy)
    labels = {name: [m["label"] for m in Match.objects.get(policy=policy, enterprise_id=ids[name]).missing]
              for name in ("new", "none")}  # fmt: skip
    assert labels == {
        "new": [f"营业收入（{before}年度）"],
        "none": [f"营业收入（{last}年度）", f"营业收入（{before}年度）"],
    }
    # and the reach preview of the same policy compiles and counts them too
    reach = policy_reach(policy=policy)
    assert (reach["eligible"], reach["possible"]) == (2, 2)


def test_six_conditions_with_four_capped_cases_publish(officials, django_capture_on_commit_callbacks):
    # given a mix of enterprises: eligible at each scale, missing data, not eligible
    year = timezone.localdate().year
    last = str(year - 1)
    profiles = [("small", "8000000", "12000000", 120, True), ("micro", "2000000", "3000000", 12, True),
                ("medium", "30000000", "90000000", 450, True), ("small", "8000000", None, 80, True),
                ("large", "90000000", "900000000", 3000, True), ("small", "8000000", "12000000", None, False),
                ("small", "500000", "12000000", 80, True)]  # fmt: skip
    for scale, capital, revenue, employees, tagged in profiles:
        e = EnterpriseFactory(scale=scale, registered_capital=Decimal(capital))
        if revenue is not None:
            IndicatorValueFactory(enterprise=e, period=last, value=Decimal(revenue))
        if employees is not None:
            IndicatorValueFactory(
                enterprise=e,
                period=last,
                value=Decimal(employees),
                indicator=IndicatorDefinition.objects.get(code="employees"),
            )
        if tagged:
            EnterpriseTagFactory(enterprise=e)
    criteria = {"all": [
        {"field": "district", "op": "within", "value": ["4101"]},
        {"field": "registered_capital", "op": ">=", "value": 1000000},
        {"field": "revenue", "period": "last_year", "op": ">", "value": 1000000},
        {"field": "employees", "period": "last_year", "op": ">=", "value": 10},
        {"field": "tags", "op": "has", "value": "高新技术企业"},
        {"not": {"field": "scale", "op": "in", "value": ["large"]}},
    ]}  # fmt: skip
    award = {"cases": [
        {"when": {"field": "scale", "op": "=", "value": "medium"},
         "amount": "max(min(0.05 * revenue@last_year, 300万), min(employees@last_year * 2000, 100万), 10万)"},
        {"when": {"field": "scale", "op": "=", "value": "small"},
         "amount": "max(min(0.08 * revenue@last_year, 150万, registered_capital * 0.2), 5万)"},
        {"when": {"field": "scale", "op": "=", "value": "micro"},
         "amount": "min(max(0.1 * revenue@last_year, employees@last_year * 1000), 50万)"},
        {"when": {}, "amount": "min(max(revenue@last_year / employees@last_year, 1万), 20万)"},
    ], "cap": "max(min(registered_capital, 200万), 3万)"}  # fmt: skip
    # when it is published on the embedded default
    policy = publish(officials, django_capture_on_commit_callbacks, criteria=criteria, award=award)
    # then the matches are written and equal the evaluator's verdicts and amounts
    counts = assert_matches_equal_the_evaluator(policy)
    assert counts["eligible"] >= 3 and counts["possible"] >= 1 and counts["amounts"] >= 3
    assert Match.objects.filter(policy=policy, status="eligible", amount__isnull=False).count() >= 3


WORST = [
    {"field": "revenue", "op": "between", "value": [0, 25000000]},  # latest: a window function in a sub-query
    {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "last_year", "first_time": True},
    {"not": {"field": "employees", "period": "2024", "op": "between", "value": [50, 200]}},
    {"field": "district", "op": "within", "value": ["410105", "410171"]},
    {"field": "age_years", "op": "between", "value": [2, 5]},
]


def bushy(depth: int, k: list[int]) -> dict:
    """A complete binary tree: every level costs SQLite's parser the most (no child goes first)."""
    if depth == 0:
        k[0] += 1
        return WORST[k[0] % len(WORST)]
    return {("all" if depth % 2 else "any"): [bushy(depth - 1, k), bushy(depth - 1, k)]}


def largest_tree(conditions: int = MAX_CONDITIONS, depth: int = MAX_DEPTH) -> dict:
    """The costliest tree the validator accepts: a complete binary tree as deep as the conditions
    allow (8 levels, 256 of 500), under a chain up to the depth bound, and the rest of the
    conditions side by side at the root."""
    b = max(x for x in range(1, 9) if 2**x + depth - x - 2 <= conditions)
    k = [0]
    node = bushy(b, k)
    for level in range(depth - b - 2):  # (b levels, a "not" under them, the root above)
        node = {("any" if level % 2 else "all"): [node, WORST[level % len(WORST)]]}
    rest = conditions - leaves_of(node)
    return {"all": [node, *[WORST[i % len(WORST)] for i in range(rest)]]}


def largest_amount(calls: int) -> str:
    text = "revenue@2024"
    for i in range(calls):
        text = f"{'min' if i % 2 else 'max'}({text}, employees / {i + 1}, freight@2024Q2 - revenue)"
    return text


def test_the_largest_valid_policy_publishes(officials, django_capture_on_commit_callbacks):
    # given the random registry of the property tests
    define_extras()
    _city(n=30, seed=21)
    # and the largest policy the validator accepts: 500 conditions nested 12 deep (the costliest
    # shape for SQLite's parser), an award of 20 cases whose conditions add up to 500, each
    # amount with min/max nested to the parser's bound, and a cap
    tree = largest_tree()
    assert (leaves_of(tree), depth_of(tree)) == (MAX_CONDITIONS, MAX_DEPTH)
    whens = [largest_tree(conditions=25, depth=MAX_DEPTH) for _ in range(MAX_CASES - 1)] + [{}]
    award = {"cases": [{"when": w, "amount": largest_amount(AMOUNT_DEPTH - 1)} for w in whens],
             "cap": largest_amount(AMOUNT_DEPTH - 1)}  # fmt: skip
    # when it is published through the services
    policy = publish(officials, django_capture_on_commit_callbacks, criteria=tree, award=award)
    # then every match (status, missing data, amount) equals the evaluator
    counts = assert_matches_equal_the_evaluator(policy)
    assert counts["eligible"] + counts["possible"] > 0
    # and the reach preview of the same policy counts the same
    reach = policy_reach(policy=policy)
    assert (reach["eligible"], reach["possible"]) == (counts["eligible"], counts["possible"])


def test_a_random_tree_of_240_conditions_nested_10_deep_publishes(
    officials, django_capture_on_commit_callbacks
):
    # given the random registry of the property tests and one large random tree and award
    define_extras()
    _city(n=30, seed=21)
    pools = []

    @settings(max_examples=1, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])  # fmt: skip
    @given(POOL)
    def draw(pool):
        pools.append(pool)

    draw()
    rng = random.Random(240)
    tree = tree_of(rng, pools[0], 240, 10)
    award = award_of(rng, pools[0], cases=6, depth=6)
    assert (leaves_of(tree), depth_of(tree)) == (240, 10)
    # when it is published through the services
    policy = publish(officials, django_capture_on_commit_callbacks, criteria=tree, award=award)
    # then every match equals the evaluator
    counts = assert_matches_equal_the_evaluator(policy)
    assert counts["eligible"] + counts["possible"] > 0
