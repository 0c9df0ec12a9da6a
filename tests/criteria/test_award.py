"""Award amounts: the small safe language, unknown amounts explained, and SQL = Python."""

from datetime import date
from decimal import Decimal

import pytest

from enterprises.models import Enterprise
from matching.criteria import CriteriaError, Profile, award_amount, compile_award, validate_award
from matching.criteria.award import AwardSyntaxError, parse_amount

AS_OF = date(2025, 6, 15)
RICH = Profile(
    registered_capital=Decimal(8000000),
    scale="small",
    indicators={
        "rd_expense": {"2024": Decimal(5000000), "2025": Decimal(70000000)},
        "revenue": {"2024": Decimal(3)},
    },
)


def amount(vocab, award, profile=RICH):
    return award_amount(validate_award(award, vocabulary=vocab), profile, as_of=AS_OF)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("300000", "300000.00"), ("30万", "300000.00"), ("1.5亿", "150000000.00"),
        ("min(0.1 * rd_expense@last_year, 2000000)", "500000.00"),
        ("min(0.1 * rd_expense, 2000000)", "2000000.00"),  # latest: 2025
        ("max(revenue@2024, 10) + 1", "11.00"), ("-revenue@2024 + 10", "7.00"),
        ("(1 + 2) * 3 - 4 / 8", "8.50"), ("floor(10 / 3)", "3.00"), ("ceil(10 / 3)", "4.00"),
        ("round(2.5)", "3.00"), ("round(10 / 3, 1)", "3.30"), ("registered_capital * 0.01", "80000.00"),
        ("2 / 3", "0.67"),
    ],
)  # fmt: skip
def test_amount_expressions(vocab, expr, expected):
    assert amount(vocab, {"amount": expr}).amount == Decimal(expected)


def test_cases_take_the_first_true_when_and_cap(vocab):
    award = {"cases": [
        {"when": {"field": "scale", "op": "=", "value": "large"}, "amount": "500000"},
        {"when": {"field": "registered_capital", "op": ">=", "value": 5000000}, "amount": "300000"},
        {"when": {}, "amount": "100000"},
    ], "cap": "250000"}  # fmt: skip
    assert amount(vocab, award).amount == Decimal("250000.00")
    assert amount(vocab, award, Profile(scale="small", registered_capital=Decimal(1))).amount == Decimal(
        "100000.00"
    )


def test_unknown_amount_is_explained_with_what_is_missing(vocab):
    r = amount(vocab, {"amount": "min(0.1 * tax_paid@last_year, 2000000) + employees"})
    assert r.amount is None
    assert [m["label"] for m in r.missing] == ["纳税总额（2024年度）", "从业人员（最近一期）"]
    assert "纳税总额（2024年度）" in r.text
    # a case whose "when" is unknown before any true case makes the amount unknown
    award = {"cases": [{"when": {"field": "revenue", "op": ">", "value": 100, "period": "this_year"}, "amount": "1"},
                       {"when": {}, "amount": "2"}]}  # fmt: skip
    r = amount(vocab, award)
    assert r.amount is None and r.missing[0]["label"] == "营业收入（2025年度）"


def test_no_applicable_case_and_division_by_zero(vocab):
    r = amount(vocab, {"cases": [{"when": {"field": "scale", "op": "=", "value": "large"}, "amount": "1"}]})
    assert r.amount is None and r.missing == [] and "不符合" in r.text
    r = amount(vocab, {"amount": "1 / (revenue@2024 - 3)"})
    assert r.amount is None and "除数为零" in r.text


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('ls')", "revenue.__class__", "().__class__", "eval('1')", "open('x')",
        "exec(1)", "unknown_name * 2", "revenue[0]", "2 ** 10", "1; 2", "lambda: 1", "min", "min()",
        "round(1, 2.5)", "floor(1, 2)", "revenue@2024Q9", "1 +", "(1", "revenue @ 2024 @ 2025", "'1'", "",
        "registered_capital@2024", "x" * 600,
    ],
)  # fmt: skip
def test_parser_rejects_anything_but_the_whitelist(vocab, expr):
    with pytest.raises(AwardSyntaxError):
        parse_amount(expr, names=set(vocab.indicators) | {"registered_capital"})
    with pytest.raises(CriteriaError) as exc:
        validate_award({"amount": expr}, vocabulary=vocab)
    assert exc.value.errors[0]["path"] == "award.amount"


def test_validate_award_paths(vocab):
    with pytest.raises(CriteriaError) as exc:
        validate_award({"cases": [{"when": {"field": "nope", "op": "=", "value": 1}, "amount": "1"},
                                  {"when": {}, "amount": "open(1)"}], "cap": "x.y"}, vocabulary=vocab)  # fmt: skip
    paths = {e["path"] for e in exc.value.errors}
    assert paths == {"award.cases[0].when.field", "award.cases[1].amount", "award.cap"}
    assert validate_award(None, vocabulary=vocab) is None
    with pytest.raises(CriteriaError):
        validate_award({"amount": "1", "cases": []}, vocabulary=vocab)


AWARDS = [
    {"amount": "min(0.1 * revenue@2024, 2000000)"},
    {"amount": "max(revenue, employees * 1000) + 1", "cap": "25000000"},
    {"amount": "floor(revenue / 3) - ceil(employees / 7) + round(freight@2024Q2 / 9, 1)"},
    {"amount": "min(revenue / (employees - 100), 5)"},  # division by zero for some
    {"amount": "registered_capital * 0.02 + revenue@last_year"},
    {"cases": [{"when": {"field": "scale", "op": "in", "value": ["small", "micro"]}, "amount": "300000"},
               {"when": {"field": "tags", "op": "has", "value": "高新技术企业"}, "amount": "revenue * 0.05"},
               {"when": {}, "amount": "1000"}], "cap": "max(employees, 10) * 1000"},
]  # fmt: skip


def _check_award_sql_equals_python(vocab):
    from .test_property import AS_OF as DATES
    from .test_property import _city

    loaded = _city(n=30, seed=7)
    for raw in AWARDS:
        award = validate_award(raw, vocabulary=vocab)
        for as_of in DATES[::2]:
            rows = dict(
                Enterprise.objects.filter(pk__in=list(loaded))
                .annotate(award=compile_award(award, as_of=as_of))
                .values_list("pk", "award")
            )
            for pk, profile in loaded.items():
                expected = award_amount(award, profile, as_of=as_of).amount
                got = rows[pk]
                assert (got is None) == (expected is None), (raw, as_of, pk, got, expected)
                if got is not None:
                    assert Decimal(got).quantize(Decimal("0.01")) == expected, (raw, as_of, pk, got, expected)


@pytest.mark.django_db
def test_compiled_award_equals_python_amounts(vocab):
    _check_award_sql_equals_python(vocab)


@pytest.mark.postgres
def test_compiled_award_equals_python_amounts_on_postgresql(vocab):
    _check_award_sql_equals_python(vocab)


@pytest.mark.django_db
def test_total_award_sums_in_sql(vocab):
    from django.db.models import Sum

    from .conftest import define_extras, save_profile

    define_extras()
    ids = [save_profile(Profile(indicators={"revenue": {"2024": Decimal(v)}})).pk for v in (100, 200)]
    ids.append(save_profile(Profile()).pk)  # unknown: counts as nothing in the sum
    award = validate_award({"amount": "revenue@2024 * 10"}, vocabulary=vocab)
    total = Enterprise.objects.filter(pk__in=ids).aggregate(t=Sum(compile_award(award, as_of=AS_OF)))["t"]
    assert Decimal(total) == Decimal(3000)
