"""Small value helpers shared by the validator, the evaluator and the compiler."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation

_MONEY_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(亿|万)?\s*元?$")


def to_decimal(value) -> Decimal | None:
    """A JSON number or numeric string ("5000000", "500万", "1.5亿元") → Decimal; None if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        m = _MONEY_RE.match(text)
        if not m:
            return None
        try:
            number = Decimal(m.group(1))
        except InvalidOperation:
            return None
        unit = m.group(2)
        if unit == "万":
            number *= 10000
        elif unit == "亿":
            number *= 100000000
        return number
    return None


def json_number(d: Decimal) -> int | float:
    """A Decimal as it is stored in a normalised tree: an int when whole, else a float."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def num(value) -> Decimal:
    """A number from a normalised tree (int / float) as Decimal."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def to_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def strip_division(code: str) -> str:
    """410100 → 4101, 410000 → 41: the level a division code really names."""
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def profile_division(code: str | None) -> str:
    """A profile's district in the prefix form the evaluator compares (6-digit codes stripped of 00 levels)."""
    if not code:
        return ""
    if len(code) == 6 and code.isdigit():
        return strip_division(code)
    return code


def division_unknown_values(code: str) -> list[str]:
    """Stored district values coarser than the condition code ``code`` (→ unknown)."""
    out = {code[:i] for i in range(1, len(code))}
    for i in range(2, len(code), 2):
        out.add(code[:i].ljust(6, "0"))
    return sorted(out)


def industry_unknown_values(code: str) -> list[str]:
    return [code[:i] for i in range(1, len(code))]
