"""The compiler works for every valid tree on every backend (issue 14): large and deep criteria
trees and awards of many cases with nested min/max compile to SQL that SQLite's parser takes
(its stack is ~100 deep) and PostgreSQL runs, and the candidate query of a chunk (status,
missing data, amount: what publishing writes) equals the Python evaluator on every enterprise."""

import json
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Func, TextField, Value
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from enterprises.models import Enterprise
from matching.criteria import (
    CriteriaError,
    Profile,
    award_amount,
    compile_missing,
    compile_tree,
    evaluate,
    validate,
    validate_award,
)
from matching.criteria.award import MAX_CASES, AwardSyntaxError, parse_amount
from matching.criteria.award import MAX_DEPTH as AMOUNT_DEPTH
from matching.criteria.validate import MAX_CONDITIONS, MAX_DEPTH
from matching.pipeline.policy_run import candidates_sql
from matching.profiles import profiles_load
from tests.factories.policies import PolicyFactory

from .conftest import save_profile, test_vocabulary
from .test_property import AS_OF, LEAVES, TREES, _city

VOCAB = test_vocabulary()


def _valid(leaf: dict) -> bool:
    try:
        validate(leaf, vocabulary=VOCAB)
    except CriteriaError:
        return False  # e.g. a quarter of a yearly indicator
    return True


# Conditions naming more codes than SQLite's parameters allow in every copy (LONG_LIST): the
# property test's codes among codes from elsewhere (outside Henan, other manufacturing classes).
FOREIGN_DISTRICTS = [f"42{i:02d}{j:02d}" for i in range(1, 10) for j in range(1, 12)]
FOREIGN_INDUSTRIES = [f"C{i}" for i in range(13, 43) if i != 34]
LONG_LEAVES = st.one_of(
    st.builds(lambda op, mine, n: {"field": "district", "op": op, "value": [*mine, *FOREIGN_DISTRICTS[:n]]},
              st.sampled_from(["within", "not_within"]),
              st.lists(st.sampled_from(["41", "4101", "410105", "410102", "410171"]), min_size=1, max_size=2, unique=True),
              st.integers(17, 99)),
    st.builds(lambda op, mine, n: {"field": "industry", "op": op, "value": [*mine, *FOREIGN_INDUSTRIES[:n]]},
              st.sampled_from(["within", "not_within"]),
              st.lists(st.sampled_from(["C34", "C3411", "I65", "A"]), min_size=1, max_size=2, unique=True),
              st.integers(17, 29)),
    st.builds(lambda op, mine, n, period: {"field": "credit_rating", "op": op, "period": period,
                                           "value": [*mine, *(f"X{i}" for i in range(n))]},
              st.sampled_from(["in", "not_in"]), st.lists(st.sampled_from(["A", "B"]), max_size=2, unique=True),
              st.integers(17, 120), st.sampled_from(["latest", "2024", "this_year"])),
)  # fmt: skip
# A pool of conditions drawn by hypothesis; the trees reuse them, as real policies repeat a
# field (revenue at each step), so labels repeat and the missing list must name each once.
POOL = st.lists(st.one_of(LEAVES.filter(_valid), LEAVES.filter(_valid), LONG_LEAVES), min_size=8, max_size=20)
# The constants a tree may hold: ``{}`` (true: everyone), ``not {}`` (false).
TRUE, FALSE = {}, {"not": {}}


def tree_of(rng: random.Random, pool: list[dict], leaves: int, depth: int) -> dict:
    """A tree of exactly ``leaves`` conditions whose deepest one is ``depth`` nodes down: ``all``,
    ``any``, ``not``, one-child nodes and constants among them (each shape a backend once refused)."""
    if depth == 0:
        return rng.choice(pool)
    if leaves == 1:
        kind = rng.choice(["not", "all", "any"])
        child = tree_of(rng, pool, 1, depth - 1)
        return {"not": child} if kind == "not" else {kind: [child]}
    if depth >= 2 and rng.random() < 0.15:
        return {"not": tree_of(rng, pool, leaves, depth - 1)}
    if depth >= 2 and rng.random() < 0.05:
        return {rng.choice(["all", "any"]): [tree_of(rng, pool, leaves, depth - 1)]}
    if depth == 1:
        parts = [1] * leaves
    else:
        k = rng.randint(2, min(leaves, 6))
        cuts = sorted(rng.sample(range(1, leaves), k - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, leaves], strict=True)]
    deep = rng.randrange(len(parts))  # this child goes the whole way down
    children = [
        tree_of(rng, pool, n, depth - 1 if i == deep else rng.randint(1 if n > 1 else 0, depth - 1))
        for i, n in enumerate(parts)
    ]
    kind = rng.choice(["all", "any"])
    if depth >= 3 and rng.random() < 0.1:  # a constant child: neutral, or rarely deciding the node
        neutral, absorbing = (TRUE, FALSE) if kind == "all" else (FALSE, TRUE)
        children.insert(rng.randrange(len(children) + 1), absorbing if rng.random() < 0.15 else neutral)
    return {kind: children}


def depth_of(node: dict) -> int:
    """Levels down to the deepest condition (a constant ``{}`` has none)."""
    if "not" in node:
        return 1 + depth_of(node["not"]) if leaves_of(node["not"]) else 0
    if "all" in node or "any" in node:
        return 1 + max((depth_of(c) for c in node.get("all", node.get("any")) if leaves_of(c)), default=-1)
    return 0


def leaves_of(node: dict) -> int:
    if "not" in node:
        return leaves_of(node["not"])
    if "all" in node or "any" in node:
        return sum(leaves_of(c) for c in node.get("all", node.get("any")))
    return 1 if node else 0


INPUTS = ["revenue", "revenue@2024", "revenue@last_year", "employees", "employees@2024", "freight@2024Q2",
          "registered_capital"]  # fmt: skip
NUMBERS = ["10000", "0.1", "30万", "2", "1.5", "100", "0.05"]


def amount_of(rng: random.Random, depth: int) -> tuple[str, bool]:
    """An amount expression: nested min/max caps (``depth`` calls down) around arithmetic.
    Returns (text, has a division); floor/ceil/round never wrap a division (a quotient's last
    digit differs between Decimal, numeric and float, and floor would magnify it)."""
    if depth == 0:
        if rng.random() < 0.6:
            return rng.choice(INPUTS), False
        return rng.choice(NUMBERS), False
    r = rng.random()
    if r < 0.6:  # a cap or a floor: min/max of a deeper expression and simpler ones
        fn = rng.choice(["min", "max"])
        inner, div = amount_of(rng, depth - 1)
        wide = rng.random() < 0.2  # up to 20 arguments a call: more than SQLite's 127 once flattened
        others = [
            amount_of(rng, 0 if wide else rng.randint(0, 1))
            for _ in range(rng.randint(8, 19) if wide else rng.randint(1, 2))
        ]
        args = [(inner, div), *others]
        rng.shuffle(args)
        return f"{fn}({', '.join(a for a, _d in args)})", any(d for _a, d in args)
    if r < 0.9:
        op = rng.choice(["+", "-", "*", "/"])
        a, da = amount_of(rng, depth - 1)
        b, db = amount_of(rng, 0)
        if rng.random() < 0.5:
            a, b, da, db = b, a, db, da
        return f"({a} {op} {b})", da or db or op == "/"
    inner, div = amount_of(rng, depth - 1)
    if div:
        return f"-{inner}" if rng.random() < 0.5 else inner, div
    fn = rng.choice(["floor", "ceil", "round"])
    return f"{fn}({inner})", div


def award_of(rng: random.Random, pool: list[dict], cases: int, depth: int) -> dict:
    out = []
    for i in range(cases):
        text = _amount_within_bounds(rng, depth)
        when = {} if i == cases - 1 and rng.random() < 0.5 else tree_of(rng, pool, rng.randint(1, 12),
                                                                          rng.randint(0, 3))  # fmt: skip
        out.append({"when": when, "amount": text})
    award = {"cases": out}
    if rng.random() < 0.5:
        award["cap"] = _amount_within_bounds(rng, 2)
    return award


def _amount_within_bounds(rng: random.Random, depth: int) -> str:
    """An amount the parser takes (length and nesting bounds), as deep as ``depth`` allows."""
    while True:
        text, _div = amount_of(rng, depth)
        try:
            parse_amount(text)
            return text
        except AwardSyntaxError:
            depth = max(depth - 1, 0)


def _candidates(policy, ids: list[int], as_of, with_missing=True) -> dict[int, tuple]:
    sql, params = candidates_sql(policy=policy, id_from=min(ids), id_to=max(ids) + 1, as_of=as_of,
                                 with_missing=with_missing)  # fmt: skip
    if not sql:
        return {}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return {pk: (status, amount, json.loads(missing) if isinstance(missing, str) else missing)
            for pk, status, amount, missing in rows}  # fmt: skip


def _assert_publishing_equals_evaluator(policy, loaded: dict, as_of) -> dict:
    """The chunk's candidate rows (status, missing, amount) equal ``evaluate`` and ``award_amount``."""
    rows = _candidates(policy, list(loaded), as_of)
    lean = _candidates(policy, list(loaded), as_of, with_missing=False)
    exact = connection.vendor == "postgresql"  # SQLite computes amounts in floating point
    seen = {"eligible": 0, "possible": 0, "not_eligible": 0, "amounts": 0}
    for pk, profile in loaded.items():
        ev = evaluate(policy.criteria, profile, as_of=as_of)
        seen[ev.result] += 1
        if ev.result == "not_eligible":
            assert pk not in rows and pk not in lean, (pk, as_of)
            continue
        status, amount, missing = rows[pk]
        assert status == ev.result == lean[pk][0], (pk, as_of, status)
        assert missing == (ev.missing or None), (pk, as_of, missing, ev.missing)
        expected = award_amount(policy.award, profile, as_of=as_of).amount
        assert (amount is None) == (expected is None), (pk, as_of, amount, expected)
        if expected is not None:
            seen["amounts"] += 1
            diff = abs(Decimal(str(amount)) - expected)
            assert diff == 0 if exact else diff <= Decimal("0.01"), (pk, as_of, amount, expected)
    return seen


# Every field kind and operator at least once, for the explicit example at the bounds.
EXAMPLE_POOL = [
    {"field": "district", "op": "within", "value": ["4101"]},
    {"field": "district", "op": "not_within", "value": ["410105", *FOREIGN_DISTRICTS[:30]]},
    {"field": "industry", "op": "within", "value": ["C34", "I65"]},
    {"field": "zone", "op": "in", "value": ["", "410171"]},
    {"field": "entity_type", "op": "=", "value": "enterprise"},
    {"field": "scale", "op": "not_in", "value": ["large"]},
    {"field": "established_on", "op": "between", "value": ["2021-03-01", "2024-06-16"]},
    {"field": "registered_capital", "op": ">=", "value": 1000000},
    {"field": "age_years", "op": "<", "value": 3},
    {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "last_year", "first_time": True},
    {"field": "tags", "op": "has_all", "value": ["高新技术企业", "专精特新中小企业"]},
    {"field": "tags", "op": "has_none", "value": ["科技型中小企业"]},
    {"field": "revenue", "op": ">", "value": 100},
    {"field": "revenue", "period": "last_year", "op": "<=", "value": 20000000},
    {"field": "employees", "op": "between", "value": [0, 100]},
    {"field": "freight", "period": "2024Q2", "op": "!=", "value": 0},
    {"field": "is_exporter", "op": "=", "value": True},
    {"field": "credit_rating", "op": "in", "value": ["A", *(f"X{i}" for i in range(40))]},
]


def _check_large_trees(max_examples: int) -> list[dict]:
    loaded = _city(n=30, seed=14)
    nothing_known = save_profile(Profile(district="", industry="")).pk  # every condition unknown
    loaded.update(profiles_load([nothing_known]))
    sizes: list[dict] = []

    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much])  # fmt: skip
    @given(pool=POOL, rng=st.randoms(use_true_random=False), as_of=st.sampled_from(AS_OF),
           leaves=st.integers(200, 260), depth=st.integers(8, MAX_DEPTH), cases=st.integers(6, 8),
           amount_depth=st.integers(4, 6))  # fmt: skip
    # the bounds, always: 500 conditions 12 deep, 20 cases, amounts as deep as the parser allows
    @example(pool=EXAMPLE_POOL, rng=random.Random(500), as_of=AS_OF[5], leaves=MAX_CONDITIONS, depth=MAX_DEPTH,
             cases=MAX_CASES, amount_depth=AMOUNT_DEPTH)  # fmt: skip
    def check(pool, rng, as_of, leaves, depth, cases, amount_depth):
        tree = validate(tree_of(rng, pool, leaves, depth), vocabulary=VOCAB)
        award = validate_award(award_of(rng, pool, cases=cases, depth=amount_depth), vocabulary=VOCAB)
        assert leaves_of(tree) == leaves and depth_of(tree) == depth
        policy = PolicyFactory(status="published", criteria=tree, award=award)
        seen = _assert_publishing_equals_evaluator(policy, loaded, as_of)
        sizes.append({"leaves": leaves, "depth": depth, "cases": len(award["cases"]), **seen})

    check()
    return sizes


def _assert_sizes(sizes: list[dict], max_examples: int) -> None:
    """Every example ran, the one at the bounds among them, and they were not degenerate: some
    enterprises qualified, some only possibly (missing data), some not, some amounts were known."""
    assert len(sizes) == max_examples + 1
    assert {"leaves": MAX_CONDITIONS, "depth": MAX_DEPTH, "cases": MAX_CASES}.items() <= sizes[0].items()
    for outcome in ("eligible", "possible", "not_eligible", "amounts"):
        assert sum(s[outcome] for s in sizes) > 0, (outcome, sizes)


@pytest.mark.django_db
@pytest.mark.usefixtures("stock_sqlite_limits")
def test_large_deep_trees_and_awards_publish_as_the_evaluator_says():
    # given a registry of random profiles (unknowns included, and one that states nothing),
    # trees of 200-260 conditions nested 8-12 deep (the bound) over every field kind and operator
    # (codes by the hundred, one-child nodes, constants), awards of 6-8 cases with min/max nested
    # 4-6 deep and a cap, and one example at the bounds (500 conditions, 12 levels, 20 cases)
    # when the candidate query of a chunk runs (what publishing writes)
    sizes = _check_large_trees(max_examples=6)
    # then every status, missing list and amount equals the evaluator (asserted inside)
    _assert_sizes(sizes, 6)


@pytest.mark.postgres
def test_large_deep_trees_and_awards_publish_as_the_evaluator_says_on_postgresql():
    _assert_sizes(_check_large_trees(max_examples=6), 6)


def _check_missing_forms(max_examples: int) -> int:
    loaded = _city(n=30, seed=15)
    base = Enterprise.objects.filter(pk__in=list(loaded))
    compared = [0]

    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])  # fmt: skip
    @given(raw=TREES, as_of=st.sampled_from(AS_OF))
    def check(raw, as_of):
        try:
            tree = validate(raw, vocabulary=VOCAB)
        except CriteriaError:
            return
        possible = base.filter(compile_tree(tree, as_of=as_of).possible_q)
        for shared in (None, True):  # as chosen (the CASEs when the order is fixed), and forced
            parts = compile_missing(tree, as_of=as_of, shared=shared)
            text = (Func(*parts, template="('' || %(expressions)s)", arg_joiner=" || ", output_field=TextField())
                    if parts else Value(""))  # fmt: skip
            got = dict(possible.annotate(m=text).values_list("pk", "m"))
            for pk, m in got.items():
                expected = evaluate(tree, loaded[pk], as_of=as_of).missing
                assert json.loads("[" + m[1:] + "]") == expected, (shared, pk, tree, as_of)
                compared[0] += 1

    check()
    return compared[0]


@pytest.mark.django_db
def test_both_forms_of_the_missing_data_equal_the_evaluator():
    # given random small trees: the form compile_missing chooses and the shared scalar sub-query
    # then each lists exactly the evaluator's missing data, in its order, for every possible row
    assert _check_missing_forms(max_examples=60) > 100


@pytest.mark.postgres
def test_both_forms_of_the_missing_data_equal_the_evaluator_on_postgresql():
    assert _check_missing_forms(max_examples=60) > 100


def test_trees_and_awards_beyond_the_compiled_bounds_are_refused_on_saving():
    # given the bounds every backend is tested at (12 levels, 500 conditions, 20 cases, amounts
    # nested 10 deep): a tree, an award and an amount just beyond each
    leaf = {"field": "registered_capital", "op": ">=", "value": 1}
    deep = leaf
    for i in range(MAX_DEPTH + 1):
        deep = {("all" if i % 2 else "any"): [leaf, deep]}
    wide = {"any": [leaf] * (MAX_CONDITIONS + 1)}
    nested = "1"
    for _ in range(AMOUNT_DEPTH):
        nested = f"min({nested}, 2)"
    # then each is refused with a message naming the bound, and the bounds themselves are valid
    for tree, words in ((deep, f"{MAX_DEPTH} 层"), (wide, f"{MAX_CONDITIONS} 个")):
        with pytest.raises(CriteriaError) as exc:
            validate(tree, vocabulary=VOCAB)
        assert words in str(exc.value)
    assert validate({"any": [leaf] * MAX_CONDITIONS}, vocabulary=VOCAB)
    awards = [
        ({"cases": [{"when": {}, "amount": "1"}] * (MAX_CASES + 1)}, f"{MAX_CASES} 种"),
        ({"cases": [{"when": {"any": [leaf] * 300}, "amount": "1"}] * 2}, f"{MAX_CONDITIONS} 个"),
        ({"amount": nested}, "嵌套过深"),
    ]
    for award, words in awards:
        with pytest.raises(CriteriaError) as exc:
            validate_award(award, vocabulary=VOCAB)
        assert words in str(exc.value)
    assert validate_award({"amount": nested.replace("min(1, 2)", "1", 1)}, vocabulary=VOCAB)
