"""Periods of indicator values and the relative words of the criteria language: the one
period parser of the portal. The registry (``enterprises.reference.normalize_period``, which
fills ``IndicatorValue.period_start/period_end`` that the compiled SQL reads), the criteria
validator and evaluator, the award formulas, the calculator and the API all read periods here.

A period is "" (an indicator without periodicity), "2024", "2024H1", "2024Q2" or "2024-05".
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from functools import lru_cache

PERIOD_RE = re.compile(r"^(\d{4})(?:(H)([12])|(Q)([1-4])|-(0[1-9]|1[0-2]))?$")
PERIOD_WORDS = ("latest", "this_year", "last_year")
YEARS = (1900, 2999)
# Spreadsheets and hand-typed files: 2024.0 (a year read as a number), 2024-5, 2024M5.
_YEAR_AS_NUMBER = re.compile(r"^(\d{4})\.0$")
_SHORT_MONTH = re.compile(r"^(\d{4})-?M?([1-9])$")


def period_normalize(value) -> str | None:
    """An explicit period in canonical form ("2024", "2024H1", "2024Q2", "2024-05"), "" for
    blank (no periodicity), or None when ``value`` is not a period. Lenient about case, width,
    spaces and the spreadsheet forms above; strict about ranges (2024-13, 2024Q5, year 1000)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return _normalize_text(str(value))


@lru_cache(maxsize=4096)
def _normalize_text(value: str) -> str | None:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()
    if text == "":
        return ""
    text = _YEAR_AS_NUMBER.sub(r"\1", text)
    text = _SHORT_MONTH.sub(r"\1-0\2", text)
    m = PERIOD_RE.match(text)
    if not m or not YEARS[0] <= int(m.group(1)) <= YEARS[1]:
        return None
    return text


def parse_period(value) -> str | None:
    """A period word ("latest", "this_year", "last_year") or an explicit period in canonical
    form, or None when malformed (blank is malformed here: a condition names a period)."""
    if isinstance(value, str) and value.strip().lower() in PERIOD_WORDS:
        return value.strip().lower()
    period = period_normalize(value)
    return period or None


def period_kind(period: str) -> str:
    """year, half, quarter or month ("" for no periodicity)."""
    if not period:
        return ""
    if len(period) == 4:
        return "year"
    return {"H": "half", "Q": "quarter", "-": "month"}[period[4]]


@lru_cache(maxsize=4096)
def period_bounds(period: str) -> tuple[date | None, date | None]:
    """First and last day of a canonical period; (None, None) for "" (no periodicity) or a
    period the registry would not store."""
    if not period or not PERIOD_RE.match(period) or not YEARS[0] <= int(period[:4]) <= YEARS[1]:
        return None, None
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    kind = period[4]
    if kind == "H":
        return (
            (date(year, 1, 1), date(year, 6, 30))
            if period[5] == "1"
            else (date(year, 7, 1), date(year, 12, 31))
        )
    if kind == "Q":
        first = 3 * (int(period[5]) - 1) + 1
        return date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    month = int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def resolve_period(period: str | None, as_of: date) -> str | None:
    """The explicit period a condition reads on ``as_of``; None means "latest"."""
    if period in (None, "", "latest"):
        return None
    if period == "this_year":
        return str(as_of.year)
    if period == "last_year":
        return str(as_of.year - 1)
    return period


def period_stated(period: str | None, *, periodicity: str, as_of: date) -> str:
    """The explicit period under which a value stated for a condition's ``period`` is filed
    (the calculator asks for one value per such period). Relative words resolve as in a
    condition (``resolve_period``); for "latest" the calculator asks for the last complete
    year: a value stated there is then what "latest" reads (the most recent period, not
    after ``as_of``, that has a value) unless a later period is stated as well. "" for an
    indicator without periodicity."""
    if periodicity == "none":
        return ""
    explicit = resolve_period(period or None, as_of)
    return explicit if explicit is not None else str(as_of.year - 1)


def period_label(period: str | None, *, language: str = "zh-hans", as_of: date | None = None) -> str:
    """最近一期 / 上年度 / 2024年第二季度 …; with ``as_of`` relative words become the year."""
    en = language.startswith("en")
    if period in (None, "", "latest"):
        return "latest period" if en else "最近一期"
    if period in ("this_year", "last_year") and as_of is None:
        if en:
            return "this year" if period == "this_year" else "last year"
        return "本年度" if period == "this_year" else "上年度"
    p = resolve_period(period, as_of) if as_of else period
    if not PERIOD_RE.match(p):
        return p  # not a period the registry stores (a year before 1000, …): shown as is
    year = p[:4]
    if len(p) == 4:
        return year if en else f"{year}年度"
    kind, rest = p[4], p[5:]
    if kind == "H":
        if en:
            return f"{year} H{rest}"
        return f"{year}年{'上' if rest == '1' else '下'}半年"
    if kind == "Q":
        return f"{year} Q{rest}" if en else f"{year}年第{'一二三四'[int(rest) - 1]}季度"
    month = int(p[5:7])
    return f"{calendar.month_abbr[month]} {year}" if en else f"{year}年{month}月"


def year_range(recognized, as_of: date) -> tuple[date | None, date | None]:
    """The inclusive date range a normalised ``recognized`` option stands for."""
    if recognized == "this_year":
        return date(as_of.year, 1, 1), date(as_of.year, 12, 31)
    if recognized == "last_year":
        return date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31)
    if isinstance(recognized, int):
        return date(recognized, 1, 1), date(recognized, 12, 31)
    lo = recognized.get("from")
    hi = recognized.get("to")
    return (date.fromisoformat(lo) if lo else None, date.fromisoformat(hi) if hi else None)


def years_before(as_of: date, years: int) -> date | None:
    """The last birth date with ``age >= years`` on ``as_of`` (29 Feb → 28 Feb); None if out of range."""
    y = as_of.year - years
    if y < 1:
        return None
    if y > 9999:
        return date.max
    try:
        return as_of.replace(year=y)
    except ValueError:  # 29 February in a common year
        return date(y, 2, 28)


def age_years(established_on: date, as_of: date) -> int:
    return (
        as_of.year
        - established_on.year
        - ((as_of.month, as_of.day) < (established_on.month, established_on.day))
    )
