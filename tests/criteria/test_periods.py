"""The one period parser (matching.criteria.periods), as the registry, the criteria language
and the calculator read it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enterprises.periods import normalize_period
from enterprises.periods import period_bounds as registry_bounds
from matching.criteria.periods import (
    parse_period,
    period_bounds,
    period_kind,
    period_normalize,
    period_stated,
    resolve_period,
)

GOOD = [
    ("2024", "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    ("2024H1", "2024H1", "half", date(2024, 1, 1), date(2024, 6, 30)),
    ("2024h2", "2024H2", "half", date(2024, 7, 1), date(2024, 12, 31)),
    ("2024Q1", "2024Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31)),
    ("2024q4", "2024Q4", "quarter", date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-01", "2024-01", "month", date(2024, 1, 1), date(2024, 1, 31)),
    ("2024-02", "2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023-02", "2023-02", "month", date(2023, 2, 1), date(2023, 2, 28)),
    ("2024-12", "2024-12", "month", date(2024, 12, 1), date(2024, 12, 31)),
    # spreadsheet and hand-typed forms
    (" 2024-5 ", "2024-05", "month", date(2024, 5, 1), date(2024, 5, 31)),
    ("2024M9", "2024-09", "month", date(2024, 9, 1), date(2024, 9, 30)),
    ("２０２４Ｑ２", "2024Q2", "quarter", date(2024, 4, 1), date(2024, 6, 30)),
    (2024, "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
    (2024.0, "2024", "year", date(2024, 1, 1), date(2024, 12, 31)),
]
BAD = ["2024-13", "2024-00", "1000", "3000", "2024Q5", "2024Q0", "2024H3", "24", "2024-1-1", "2024.5", 2024.5,
       "2024W1", "abcd", True, {"year": 2024}]  # fmt: skip


@pytest.mark.parametrize(("raw", "canonical", "kind", "first", "last"), GOOD)
def test_explicit_periods_parse_to_one_canonical_form_with_their_days(raw, canonical, kind, first, last):
    # when / then: the criteria language, the registry and the bounds agree
    assert period_normalize(raw) == canonical
    assert parse_period(raw) == canonical
    assert normalize_period(raw) == canonical
    assert period_kind(canonical) == kind
    assert period_bounds(canonical) == (first, last)
    assert registry_bounds(raw) == (first, last)


@pytest.mark.parametrize("raw", BAD)
def test_malformed_periods_are_refused_by_the_criteria_and_the_registry_alike(raw):
    assert period_normalize(raw) is None
    assert parse_period(raw) is None
    with pytest.raises(ValidationError, match="期间"):
        normalize_period(raw)


def test_blank_is_no_periodicity_for_the_registry_but_not_a_period_for_a_condition():
    assert normalize_period("") == "" and normalize_period(None) == ""
    assert registry_bounds("") == (None, None)
    assert parse_period("") is None
    assert period_kind("") == ""


@pytest.mark.parametrize("word", ["latest", "this_year", "last_year", " Last_Year "])
def test_relative_words_are_conditions_only(word):
    assert parse_period(word) == word.strip().lower()
    assert period_normalize(word) is None


def test_relative_words_resolve_on_the_evaluation_date():
    as_of = date(2026, 1, 1)
    assert resolve_period("this_year", as_of) == "2026"
    assert resolve_period("last_year", as_of) == "2025"
    assert resolve_period("latest", as_of) is None  # read as the most recent period with a value
    assert resolve_period("2024Q2", as_of) == "2024Q2"


@pytest.mark.parametrize(
    ("period", "periodicity", "filed"),
    [("latest", "year", "2025"), (None, "quarter", "2025"), ("last_year", "year", "2025"),
     ("this_year", "year", "2026"), ("2024Q2", "quarter", "2024Q2"), ("latest", "none", "")],
)  # fmt: skip
def test_the_calculator_files_a_stated_value_under_the_period_a_condition_reads(period, periodicity, filed):
    assert period_stated(period, periodicity=periodicity, as_of=date(2026, 6, 30)) == filed
