"""The Python evaluator: every op and type, periods, tags, three-valued logic, explanations."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from matching.criteria import Profile, TagHolding, evaluate, near_misses, validate
from matching.criteria.evaluate import and3, not3, or3

D = date.fromisoformat
AS_OF = D("2025-06-15")


def result(vocab, tree, profile, as_of=AS_OF):
    return evaluate(validate(tree, vocabulary=vocab), profile, as_of=as_of).result


def cond(field, op, value, **extra):
    return {"field": field, "op": op, "value": value, **extra}


# ---- numbers, money, dates ----------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("=", 5000000, "eligible"), ("=", 5000001, "not_eligible"),
        ("!=", 5000000, "not_eligible"), ("!=", 1, "eligible"),
        (">=", 5000000, "eligible"), (">=", 5000001, "not_eligible"),
        (">", 5000000, "not_eligible"), (">", 4999999.99, "eligible"),
        ("<=", 5000000, "eligible"), ("<=", 4999999, "not_eligible"),
        ("<", 5000000, "not_eligible"), ("<", 5000000.01, "eligible"),
        ("between", [5000000, 6000000], "eligible"), ("between", [1000000, 5000000], "eligible"),
        ("between", [5000001, 6000000], "not_eligible"),
    ],
)  # fmt: skip
def test_money_ops_with_inclusive_bounds(vocab, op, value, expected):
    p = Profile(registered_capital=Decimal("5000000"))
    assert result(vocab, cond("registered_capital", op, value), p) == expected


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_condition_on_unknown_value_is_unknown_for_every_op(vocab, op):
    assert result(vocab, cond("registered_capital", op, 1), Profile()) == "possible"
    assert result(vocab, cond("established_on", op, "2020-01-01"), Profile()) == "possible"
    assert result(vocab, cond("age_years", op, 2), Profile()) == "possible"
    assert result(vocab, cond("revenue", op, 2), Profile()) == "possible"


def test_unknown_is_never_zero(vocab):
    # given no revenue at all, "revenue < 1" is not met by a zero that is not there
    assert result(vocab, cond("revenue", "<", 1), Profile()) == "possible"


def test_date_ops(vocab):
    p = Profile(established_on=D("2020-05-01"))
    assert result(vocab, cond("established_on", "<", "2020-05-02"), p) == "eligible"
    assert result(vocab, cond("established_on", "<", "2020-05-01"), p) == "not_eligible"
    assert result(vocab, cond("established_on", "between", ["2020-05-01", "2020-05-01"]), p) == "eligible"
    assert result(vocab, cond("established_on", ">=", "2020-05-02"), p) == "not_eligible"


@pytest.mark.parametrize(
    ("established", "as_of", "age"),
    [
        ("2020-06-15", "2025-06-15", 5), ("2020-06-16", "2025-06-15", 4),
        ("2024-02-29", "2025-02-28", 0), ("2024-02-29", "2025-03-01", 1),
        ("2023-03-01", "2024-02-29", 0), ("2023-02-28", "2024-02-29", 1), ("2025-07-01", "2025-06-15", -1),
    ],
)  # fmt: skip
def test_age_years_counts_whole_years_to_the_evaluation_date(vocab, established, as_of, age):
    p = Profile(established_on=D(established))
    assert result(vocab, cond("age_years", "=", age), p, D(as_of)) == "eligible"
    assert result(vocab, cond("age_years", ">=", age + 1), p, D(as_of)) == "not_eligible"
    assert result(vocab, cond("age_years", ">", age - 0.5), p, D(as_of)) == "eligible"


# ---- codes and enums ----------------------------------------------------------------
def test_enum_ops_and_unknown_scale(vocab):
    small = Profile(scale="small", entity_type="enterprise")
    assert result(vocab, cond("scale", "in", ["small", "micro"]), small) == "eligible"
    assert result(vocab, cond("scale", "not_in", ["small"]), small) == "not_eligible"
    assert result(vocab, cond("scale", "=", "small"), small) == "eligible"
    assert result(vocab, cond("scale", "!=", "large"), small) == "eligible"
    assert result(vocab, cond("entity_type", "=", "individual_business"), small) == "not_eligible"
    # a size that cannot be classified is unknown, and so is "not large"
    assert result(vocab, {"not": cond("scale", "in", ["large"])}, Profile()) == "possible"


def test_absent_zone_is_a_known_fact(vocab):
    nowhere = Profile(zone="")
    assert result(vocab, cond("zone", "=", "高新区"), nowhere) == "not_eligible"
    assert result(vocab, cond("zone", "!=", "410172"), nowhere) == "eligible"
    assert result(vocab, cond("zone", "not_in", ["410171", "410172"]), nowhere) == "eligible"
    assert result(vocab, cond("zone", "=", ""), nowhere) == "eligible"
    assert result(vocab, cond("zone", "in", ["410172"]), Profile(zone="410172")) == "eligible"


# ---- divisions and industries -------------------------------------------------------
@pytest.mark.parametrize(
    ("district", "codes", "expected"),
    [
        ("410105", ["4101"], "eligible"), ("410105", ["41"], "eligible"), ("410105", ["410105"], "eligible"),
        ("410105", ["410102"], "not_eligible"), ("420102", ["4101"], "not_eligible"),
        ("410100", ["410105"], "possible"),  # only the city is known: coarser than the condition
        ("410100", ["4101"], "eligible"), ("410100", ["4201"], "not_eligible"),
        ("410000", ["4101"], "possible"), ("", ["4101"], "possible"),
        ("410100", ["410105", "4101"], "eligible"), ("410100", ["410105", "4201"], "possible"),
    ],
)  # fmt: skip
def test_within_is_a_hierarchical_prefix_and_coarser_codes_are_unknown(vocab, district, codes, expected):
    p = Profile(district=district)
    assert result(vocab, cond("district", "within", codes), p) == expected
    negated = {"eligible": "not_eligible", "not_eligible": "eligible", "possible": "possible"}[expected]
    assert result(vocab, cond("district", "not_within", codes), p) == negated


@pytest.mark.parametrize(
    ("industry", "codes", "expected"),
    [
        ("C3411", ["C"], "eligible"), ("C3411", ["C34"], "eligible"), ("C3411", ["I65"], "not_eligible"),
        ("C34", ["C3411"], "possible"), ("C", ["C34"], "possible"), ("", ["C"], "possible"),
        ("C34", ["I65"], "not_eligible"), ("C3412", ["C3411"], "not_eligible"),
    ],
)  # fmt: skip
def test_industry_within(vocab, industry, codes, expected):
    assert result(vocab, cond("industry", "within", codes), Profile(industry=industry)) == expected


# ---- tags ----------------------------------------------------------------------------
HT = "高新技术企业"


@pytest.mark.parametrize(
    ("holding", "expected"),
    [
        (TagHolding(), "eligible"),  # a plain string tag, no dates
        (TagHolding(D("2024-01-01"), D("2025-06-15")), "eligible"),  # expires_on is the last valid day
        (TagHolding(D("2024-01-01"), D("2025-06-14")), "not_eligible"),  # expired
        (TagHolding(D("2025-06-16"), None), "not_eligible"),  # not yet recognised
        (TagHolding(D("2025-06-15"), None), "eligible"),
        (None, "not_eligible"),
    ],
)  # fmt: skip
def test_has_means_valid_on_the_evaluation_date(vocab, holding, expected):
    p = Profile(tags={HT: holding} if holding else {})
    assert result(vocab, cond("tags", "has", HT), p) == expected


@pytest.mark.parametrize(
    ("recognized", "on", "expected"),
    [
        ("this_year", "2025-01-01", "eligible"), ("this_year", "2024-12-31", "not_eligible"),
        ("last_year", "2024-12-31", "eligible"), ("last_year", "2024-01-01", "eligible"),
        ("last_year", "2025-01-01", "not_eligible"), (2023, "2023-07-01", "eligible"), ("2023", "2024-07-01", "not_eligible"),
        ({"from": "2024-03-01", "to": "2024-03-31"}, "2024-03-01", "eligible"),
        ({"from": "2024-03-01", "to": "2024-03-31"}, "2024-03-31", "eligible"),
        ({"from": "2024-03-01", "to": "2024-03-31"}, "2024-04-01", "not_eligible"),
        ({"from": "2024-03-01"}, "2025-03-01", "eligible"), ({"to": "2024-03-01"}, "2024-03-02", "not_eligible"),
    ],
)  # fmt: skip
def test_recognized_option(vocab, recognized, on, expected):
    p = Profile(
        tags={HT: TagHolding(recognized_on=D(on), expires_on=D("2020-01-01"))}
    )  # long expired: irrelevant
    assert result(vocab, cond("tags", "has", HT, recognized=recognized), p) == expected


def test_this_year_moves_on_the_first_of_january(vocab):
    p = Profile(tags={HT: TagHolding(recognized_on=D("2024-11-20"))})
    tree = cond("tags", "has", HT, recognized="this_year")
    assert result(vocab, tree, p, D("2024-12-31")) == "eligible"
    assert result(vocab, tree, p, D("2025-01-01")) == "not_eligible"
    assert result(vocab, cond("tags", "has", HT, recognized="last_year"), p, D("2025-01-01")) == "eligible"


def test_recognition_option_needs_the_date_or_flag_asked_about(vocab):
    undated = Profile(tags={HT: TagHolding()})
    assert result(vocab, cond("tags", "has", HT, recognized="this_year"), undated) == "possible"
    assert result(vocab, cond("tags", "has", HT, first_time=True), undated) == "possible"
    first = Profile(tags={HT: TagHolding(recognized_on=D("2025-03-01"), first_time=True)})
    again = Profile(tags={HT: TagHolding(recognized_on=D("2025-03-01"), first_time=False)})
    assert result(vocab, cond("tags", "has", HT, first_time=True), first) == "eligible"
    assert result(vocab, cond("tags", "has", HT, first_time=True), again) == "not_eligible"
    both = cond("tags", "has", HT, first_time=True, recognized="last_year")
    assert result(vocab, both, first) == "not_eligible"  # recognised this year, not last
    # a known failure of one part beats the unknown of the other
    assert (
        result(vocab, both, Profile(tags={HT: TagHolding(recognized_on=D("2025-03-01"))})) == "not_eligible"
    )
    assert result(vocab, both, Profile(tags={HT: TagHolding(recognized_on=D("2024-03-01"))})) == "possible"
    # not holding the tag at all is a known "no"
    assert result(vocab, cond("tags", "has", HT, first_time=True), Profile()) == "not_eligible"


def test_has_any_all_none(vocab):
    zj = "专精特新中小企业"
    p = Profile(tags={HT: TagHolding(), zj: TagHolding(expires_on=D("2020-12-31"))})
    assert result(vocab, cond("tags", "has_any", [HT, zj]), p) == "eligible"
    assert result(vocab, cond("tags", "has_all", [HT, zj]), p) == "not_eligible"  # zj expired
    assert result(vocab, cond("tags", "has_none", [zj]), p) == "eligible"
    assert result(vocab, cond("tags", "has_none", [HT, zj]), p) == "not_eligible"


# ---- indicators and periods -------------------------------------------------------------
REV = {"2023": Decimal(10), "2024": Decimal(20), "2025": Decimal(30)}


@pytest.mark.parametrize(
    ("period", "as_of", "value_read"),
    [
        (None, "2025-06-15", 30),  # latest: the most recent period that has begun
        (None, "2024-12-31", 20), (None, "2024-01-01", 20), (None, "2023-12-31", 10),
        ("this_year", "2025-06-15", 30), ("this_year", "2024-12-31", 20),
        ("last_year", "2025-01-01", 20), ("last_year", "2024-12-31", 10), ("2023", "2025-06-15", 10),
    ],
)  # fmt: skip
def test_period_words_resolve_against_the_evaluation_date(vocab, period, as_of, value_read):
    p = Profile(indicators={"revenue": dict(REV)})
    extra = {"period": period} if period else {}
    assert result(vocab, cond("revenue", "=", value_read, **extra), p, D(as_of)) == "eligible"


def test_latest_before_any_period_and_missing_period_are_unknown(vocab):
    p = Profile(indicators={"revenue": dict(REV)})
    assert result(vocab, cond("revenue", ">", 0), p, D("2022-12-31")) == "possible"
    assert result(vocab, cond("revenue", ">", 0, period="last_year"), p, D("2027-01-01")) == "possible"


def test_latest_prefers_the_shorter_period_when_both_end_together(vocab):
    p = Profile(indicators={"revenue": {"2024": Decimal(100), "2024H2": Decimal(40), "": Decimal(7)}})
    assert result(vocab, cond("revenue", "=", 40), p, D("2025-01-01")) == "eligible"
    # a value without a period counts as the oldest
    assert (
        result(vocab, cond("revenue", "=", 7), Profile(indicators={"revenue": {"": Decimal(7)}}))
        == "eligible"
    )


def test_quarterly_indicator_and_explicit_periods(vocab):
    p = Profile(indicators={"freight": {"2024Q2": Decimal(500), "2025Q1": Decimal(900)}})
    assert result(vocab, cond("freight", ">=", 500, period="2024Q2"), p) == "eligible"
    assert result(vocab, cond("freight", ">", 500, period="2024Q2"), p) == "not_eligible"
    assert result(vocab, cond("freight", "=", 900), p) == "eligible"
    assert result(vocab, cond("freight", "=", 900, period="2025Q2"), p) == "possible"


def test_flag_and_code_indicators(vocab):
    p = Profile(indicators={"is_exporter": {"": Decimal(1)}, "credit_rating": {"2024": "A"}})
    assert result(vocab, cond("is_exporter", "=", True), p) == "eligible"
    assert result(vocab, cond("is_exporter", "!=", True), p) == "not_eligible"
    assert result(vocab, cond("credit_rating", "in", ["A", "B"]), p) == "eligible"
    assert result(vocab, cond("credit_rating", "=", "A", period="last_year"), p) == "eligible"
    assert result(vocab, cond("credit_rating", "=", "A", period="this_year"), p) == "possible"


# ---- three-valued logic -------------------------------------------------------------------
T, F, U = True, False, None


def test_truth_tables_are_sqls():
    assert [and3([a, b]) for a, b in itertools.product([T, F, U], repeat=2)] == [T, F, U, F, F, F, U, F, U]
    assert [or3([a, b]) for a, b in itertools.product([T, F, U], repeat=2)] == [T, T, T, T, F, U, T, U, U]
    assert [not3(a) for a in (T, F, U)] == [F, T, U]
    assert and3([]) is True and or3([]) is False


LEAF = {
    T: cond("registered_capital", ">=", 0),
    F: cond("registered_capital", "<", 0),
    U: cond("revenue", ">", 0),
}


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_trees_follow_the_truth_tables(vocab, a, b):
    p = Profile(registered_capital=Decimal(1))
    word = {T: "eligible", F: "not_eligible", U: "possible"}
    assert result(vocab, {"all": [LEAF[a], LEAF[b]]}, p) == word[and3([a, b])]
    assert result(vocab, {"any": [LEAF[a], LEAF[b]]}, p) == word[or3([a, b])]
    assert result(vocab, {"not": {"all": [LEAF[a], LEAF[b]]}}, p) == word[not3(and3([a, b]))]


# ---- explanation, missing, reasons, near misses -----------------------------------------------
def test_explanation_lists_every_condition_with_the_value_held(vocab):
    tree = validate({"all": [cond("registered_capital", ">=", 5000000), cond("revenue", ">", 20000000,
                                                                          period="last_year")]}, vocabulary=vocab)  # fmt: skip
    ev = evaluate(tree, Profile(registered_capital=Decimal(8000000)), as_of=AS_OF)
    assert ev.result == "possible"
    assert [c.outcome for c in ev.conditions] == ["met", "unknown"]
    assert ev.conditions[0].actual == Decimal(8000000)
    assert "800万元" in ev.conditions[0].text and "500万元以上" in ev.conditions[0].text
    assert ev.missing == [{"field": "revenue", "period": "2024", "label": "营业收入（2024年度）"}]
    assert ev.reasons == ["注册资本500万元以上（当前：800万元）"]


def test_missing_names_only_data_that_would_decide(vocab):
    # given an any whose known branch already fails and another all that is decided
    tree = validate({"all": [
        {"any": [cond("revenue", ">", 1), cond("employees", ">", 1)]},
        {"any": [cond("registered_capital", ">=", 0), cond("tax_paid", ">", 1)]},
    ]}, vocabulary=vocab)  # fmt: skip
    ev = evaluate(tree, Profile(registered_capital=Decimal(1)), as_of=AS_OF)
    assert ev.result == "possible"
    assert [m["field"] for m in ev.missing] == ["revenue", "employees"]  # tax_paid does not matter


def test_near_miss_names_the_single_condition_the_value_needed_and_held(vocab):
    tree = validate({"all": [cond("district", "within", ["4101"]), cond("registered_capital", ">=", 5000000),
                             {"not": cond("scale", "in", ["large"])}]}, vocabulary=vocab)  # fmt: skip
    p = Profile(district="410105", registered_capital=Decimal(3000000), scale="small")
    misses = near_misses(tree, p, as_of=AS_OF)
    assert len(misses) == 1
    m = misses[0]
    assert (m.path, m.field, m.result_if_met) == ("all[1]", "registered_capital", "eligible")
    assert m.needed == "注册资本500万元以上" and m.actual == "300万元"
    # a large enterprise misses on the negated condition: it would need to be not large
    big = Profile(district="410105", registered_capital=Decimal(9000000), scale="large")
    [m] = near_misses(tree, big, as_of=AS_OF)
    assert m.path == "all[2].not" and m.needed == "企业规模不为大型" and m.actual == "大型"


def test_near_miss_can_lead_to_possible_and_two_failures_are_not_near(vocab):
    tree = validate(
        {"all": [cond("registered_capital", ">=", 5000000), cond("revenue", ">", 1)]}, vocabulary=vocab
    )
    [m] = near_misses(tree, Profile(registered_capital=Decimal(1)), as_of=AS_OF)
    assert m.result_if_met == "possible"
    tree2 = validate({"all": [cond("registered_capital", ">=", 5000000), cond("scale", "=", "small")]},
                     vocabulary=vocab)  # fmt: skip
    assert near_misses(tree2, Profile(registered_capital=Decimal(1), scale="large"), as_of=AS_OF) == []
    assert near_misses(tree2, Profile(registered_capital=Decimal(9000000), scale="small"), as_of=AS_OF) == []


def test_explanations_are_json_serialisable(vocab):
    import json

    tree = validate({"all": [cond("established_on", "<", "2020-01-01"), cond("tags", "has", HT),
                             cond("registered_capital", ">=", 1)]}, vocabulary=vocab)  # fmt: skip
    p = Profile(
        established_on=D("2021-01-01"), tags={HT: TagHolding(D("2024-01-01"))}, registered_capital=Decimal(5)
    )
    ev = evaluate(tree, p, as_of=AS_OF)
    json.dumps([c.as_dict() for c in ev.conditions], ensure_ascii=False)
    json.dumps([m.as_dict() for m in near_misses(tree, p, as_of=AS_OF)], ensure_ascii=False)
    assert near_misses(tree, p, as_of=AS_OF)[0].actual_value == D("2021-01-01")
