"""Enterprise size (国统字〔2017〕213号): the table and the classification."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .common import load
from .industries import industry_section_of

_TIERS = ("large", "medium", "small")  # then micro
_TIER_RANK = {"large": 3, "medium": 2, "small": 1, "micro": 0}
# The table's X is 从业人员 (persons), Y 营业收入 and Z 资产总额 in 万元; the profile holds yuan.
_TABLE_FIELDS = {
    "X": ("employees", Decimal(1)),
    "Y": ("revenue", Decimal(10000)),
    "Z": ("total_assets", Decimal(10000)),
}


@lru_cache(maxsize=1)
def sme_table() -> dict:
    return load("sme_2017.json")


def _row_covers(row: dict, section: str, digits: str) -> bool | None:
    """True/False, or None when the code is too coarse to tell (an excluded part below it)."""
    scope = row["gbt4754_2017_scope"]
    covered = (
        section in scope.get("sections", [])
        or (len(digits) >= 2 and digits[:2] in scope.get("divisions", []))
        or (len(digits) >= 3 and digits[:3] in scope.get("groups", []))
        or (len(digits) >= 4 and digits[:4] in scope.get("classes", []))
    )
    if not covered:
        return False
    excludes = row.get("excludes", {})
    if len(digits) >= 2 and digits[:2] in excludes.get("divisions", []):
        return False
    for group in excludes.get("groups", []):
        if len(digits) >= 3:
            if digits[:3] == group:
                return False
        elif group.startswith(digits) or not digits:
            return None
    for div in excludes.get("divisions", []):
        if not digits and industry_section_of(div) == section:
            return None
    return True


def sme_row_for(industry: str) -> dict | None:
    """The table row that covers an industry code, or None (not covered, or code too coarse)."""
    if not industry:
        return None
    section, digits = industry[0], industry[1:]
    found = []
    for row in sme_table()["industries"]:
        covers = _row_covers(row, section, digits)
        if covers is None:
            return None
        if covers:
            found.append(row)
    return found[0] if len(found) == 1 else None


def _to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def classify_scale(*, industry: str, employees: Any, revenue: Any, total_assets: Any) -> str | None:
    """Size by 国统字〔2017〕213号: "large" / "medium" / "small" / "micro", or None.

    The combination rule of the table: each listed indicator is ranked separately
    (lower bounds inclusive) and the lowest tier wins; so micro needs only one
    indicator below the small bound, while the others need every indicator. With
    data missing the tier is known only when a known indicator already ranks micro.
    Revenue and total assets are in yuan here (the table is in 万元).
    """
    row = sme_row_for(industry)
    if row is None:
        return None
    profile = {"employees": _to_decimal(employees), "revenue": _to_decimal(revenue),
               "total_assets": _to_decimal(total_assets)}  # fmt: skip
    tiers = []
    missing = False
    for letter, bounds in row["indicators"].items():
        field, factor = _TABLE_FIELDS[letter]
        value = profile[field]
        if value is None:
            missing = True
            continue
        tier = "micro"
        for name in _TIERS:
            if value >= Decimal(str(bounds[name])) * factor:
                tier = name
                break
        tiers.append(tier)
    if not tiers:
        return None
    lowest = min(tiers, key=_TIER_RANK.__getitem__)
    if missing and lowest != "micro":
        return None
    return lowest


def scale_inputs_for(industry: str) -> list[str]:
    """The profile fields the table uses for this industry (["employees", "revenue"] …)."""
    row = sme_row_for(industry)
    if row is None:
        return []
    return [_TABLE_FIELDS[letter][0] for letter in row["indicators"]]
