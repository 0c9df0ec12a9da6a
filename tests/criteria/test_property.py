"""One meaning, two engines (DESIGN §4): for random trees and random profiles, unknowns
included, the compiled SQL and the Python evaluator give the same answer for every
enterprise, and the set-based "missing" lists equal the evaluator's."""

import random
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enterprises.models import Enterprise, IndicatorDefinition, IndicatorValue
from matching.criteria import (
    CriteriaError,
    Profile,
    TagHolding,
    compile_evaluator,
    compile_tree,
    compile_unknown_leaves,
    evaluate,
    validate,
)
from matching.profiles import profiles_load

from .conftest import define_extras, save_profile, test_vocabulary

D = date.fromisoformat
DATES = [D("2020-02-29"), D("2021-03-01"), D("2022-06-15"), D("2023-06-15"), D("2024-02-29"), D("2024-06-16"),
         D("2025-06-15"), D("2024-12-31"), D("2025-01-01")]  # fmt: skip
AS_OF = [D("2024-01-01"), D("2024-02-29"), D("2024-12-31"), D("2025-01-01"), D("2025-06-14"), D("2025-06-15"),
         D("2026-03-01")]  # fmt: skip
DISTRICTS = ["410105", "410102", "410100", "410000", "410171", "420102", "", "411000"]
ZONES = ["", "410171", "410172"]
INDUSTRIES = ["C3411", "C34", "C", "I6513", "I65", "", "A0111", "C3412"]
TAGS = ["高新技术企业", "专精特新中小企业", "科技型中小企业"]
MONEY = [Decimal(0), Decimal(100), Decimal(20000000), Decimal("30000000.5")]
CAPITAL = [Decimal(0), Decimal(1000000), Decimal("4999999.99"), Decimal(5000000), Decimal(12000000)]


def random_profile(rng: random.Random) -> Profile:
    def maybe(pool, p_none=0.2):
        return None if rng.random() < p_none else rng.choice(pool)

    p = Profile(
        entity_type=maybe(["enterprise", "individual_business"]),
        district=rng.choice(DISTRICTS),
        zone=rng.choice(ZONES),
        industry=rng.choice(INDUSTRIES),
        established_on=maybe(DATES),
        registered_capital=maybe(CAPITAL),
        scale=maybe(["large", "medium", "small", "micro"]),
    )
    for name in TAGS:
        if rng.random() < 0.5:
            p.tags[name] = TagHolding(
                recognized_on=maybe(
                    [D("2023-05-01"), D("2024-12-31"), D("2025-01-01"), D("2025-06-15")], 0.3
                ),
                expires_on=maybe([D("2024-12-31"), D("2025-06-14"), D("2025-06-15"), D("2026-12-31")], 0.3),
                first_time=maybe([True, False], 0.3),
            )
    for code, periods, pool in (
        ("revenue", ["2023", "2024", "2025", "2024H2", "2026", ""], MONEY),
        ("employees", ["2023", "2024", "2025"], [Decimal(0), Decimal(100), Decimal(300)]),
        ("freight", ["2024Q2", "2025Q1", "2025Q3"], MONEY),
    ):
        values = {period: rng.choice(pool) for period in periods if rng.random() < 0.4}
        if values:
            p.indicators[code] = values
    if rng.random() < 0.7:
        p.indicators["is_exporter"] = {"": Decimal(rng.choice([0, 1]))}
    if rng.random() < 0.7:
        p.indicators["credit_rating"] = {rng.choice(["2024", "2025"]): rng.choice(["A", "B"])}
    return p


def numeric_value(pool):
    return st.one_of(
        st.tuples(st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), st.sampled_from(pool)),
        st.tuples(st.just("between"), st.lists(st.sampled_from(pool), min_size=2, max_size=2).map(sorted)),
    )


def leaf(field, ops_values, **extra):
    return ops_values.flatmap(
        lambda ov: st.fixed_dictionaries(
            {"field": st.just(field), "op": st.just(ov[0]), "value": st.just(ov[1])}, optional=extra
        )  # fmt: skip
    )


def _num(d):
    return int(d) if d == int(d) else float(d)


MONEY_V = [_num(m) for m in MONEY]
CAPITAL_V = [_num(m) for m in CAPITAL]
LIST = st.sampled_from


def code_ops(pool):
    return st.one_of(
        st.tuples(st.sampled_from(["=", "!="]), st.sampled_from(pool)),
        st.tuples(st.sampled_from(["in", "not_in"]), st.lists(st.sampled_from(pool), min_size=1, max_size=3)),
    )


def prefix_ops(pool):
    return st.tuples(
        st.sampled_from(["within", "not_within"]), st.lists(st.sampled_from(pool), min_size=1, max_size=3)
    )


RECOGNIZED = st.sampled_from(["this_year", "last_year", 2024, 2025, {"from": "2024-12-31", "to": "2025-01-01"},
                              {"from": "2025-01-01"}, {"to": "2024-12-31"}])  # fmt: skip
LEAVES = st.one_of(
    leaf("district", prefix_ops(["41", "4101", "410105", "410102", "42", "4201", "410171"])),
    leaf("industry", prefix_ops(["C", "C34", "C3411", "I65", "I6513", "A"])),
    leaf("zone", code_ops(["", "410171", "410172"])),
    leaf("entity_type", code_ops(["enterprise", "individual_business"])),
    leaf("scale", code_ops(["large", "medium", "small", "micro"])),
    leaf("established_on", numeric_value([d.isoformat() for d in DATES])),
    leaf("registered_capital", numeric_value(CAPITAL_V)),
    leaf("age_years", numeric_value([0, 1, 2, 2.5, 3, 4, 5])),
    leaf(
        "tags",
        st.tuples(st.just("has"), st.sampled_from(TAGS)),
        recognized=RECOGNIZED,
        first_time=st.booleans(),
    ),
    leaf(
        "tags",
        st.tuples(
            st.sampled_from(["has_any", "has_all", "has_none"]),
            st.lists(st.sampled_from(TAGS), min_size=1, max_size=3),
        ),
    ),  # fmt: skip
    leaf(
        "revenue",
        numeric_value(MONEY_V),
        period=st.sampled_from(["latest", "this_year", "last_year", "2024", 2023]),
    ),
    leaf("employees", numeric_value([0, 100, 300])),
    leaf(
        "freight", numeric_value(MONEY_V), period=st.sampled_from(["latest", "2024Q2", "2025Q1", "last_year"])
    ),
    leaf("is_exporter", st.tuples(st.sampled_from(["=", "!="]), st.booleans())),
    leaf("credit_rating", code_ops(["A", "B", "C"]), period=st.sampled_from(["latest", "2024", "this_year"])),
)
TREES = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda c: {"all": c}),
        st.lists(children, min_size=1, max_size=4).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    ),
    max_leaves=8,
)


def _city(n=36, seed=20261127):
    define_extras()
    rng = random.Random(seed)
    profiles = [random_profile(rng) for _ in range(n)]
    ids = [save_profile(p).pk for p in profiles]
    # rows without a value are not data: both engines must skip them
    revenue = IndicatorDefinition.objects.get(code="revenue")
    for pk in ids[:6]:
        IndicatorValue.objects.get_or_create(enterprise_id=pk, indicator=revenue, period="2027",
                                             defaults={"period_start": D("2025-01-01"), "value": None})  # fmt: skip
    return profiles_load(ids)


def _check_same_answers(max_examples: int) -> None:
    loaded = _city()
    vocab = test_vocabulary()
    base = Enterprise.objects.filter(pk__in=list(loaded))

    @settings(max_examples=max_examples, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])  # fmt: skip
    @given(raw=TREES, as_of=st.sampled_from(AS_OF))
    def check(raw, as_of):
        try:
            tree = validate(raw, vocabulary=vocab)
        except CriteriaError:
            return  # e.g. a sub-year period on a yearly indicator
        compiled = compile_tree(tree, as_of=as_of)
        eligible = set(base.filter(compiled.eligible_q).values_list("pk", flat=True))
        not_eligible = set(base.filter(compiled.not_eligible_q).values_list("pk", flat=True))
        assert not eligible & not_eligible
        evaluations = {pk: evaluate(tree, p, as_of=as_of) for pk, p in loaded.items()}
        fast = compile_evaluator(tree)
        assert all({True: "eligible", None: "possible", False: "not_eligible"}[fast(p, as_of)]
                   == evaluations[pk].result for pk, p in loaded.items())  # fmt: skip
        for pk, ev in evaluations.items():
            sql = "eligible" if pk in eligible else "not_eligible" if pk in not_eligible else "possible"
            assert sql == ev.result, (pk, tree, as_of, [c.text for c in ev.conditions])
        possible = [pk for pk, ev in evaluations.items() if ev.result == "possible"]
        if possible:
            sql_missing = {pk: set() for pk in possible}
            for unknown in compile_unknown_leaves(tree, as_of=as_of):
                for pk in base.filter(unknown.q, pk__in=possible).values_list("pk", flat=True):
                    sql_missing[pk].add(unknown.missing["label"])
            for pk in possible:
                assert sql_missing[pk] == {m["label"] for m in evaluations[pk].missing}, (pk, tree, as_of)

    check()


@pytest.mark.django_db
def test_compiled_sql_and_python_evaluator_agree_on_random_trees():
    # given a registry of random profiles and random trees
    # then SQL and Python give the same three-valued answer and the same missing data
    _check_same_answers(max_examples=80)


@pytest.mark.postgres
def test_compiled_sql_and_python_evaluator_agree_on_postgresql():
    _check_same_answers(max_examples=150)
