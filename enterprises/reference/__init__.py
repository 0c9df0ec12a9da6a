"""Reference data of the registry: credit codes, divisions, zones, industries, size, periods.

Everything here is pure (no models, no database) and reads the official tables from
``enterprises/reference/*.json`` instead of retyping them. Each normaliser accepts
the forms people actually type and returns the one form the portal stores, or
raises ``django.core.exceptions.ValidationError`` with a Chinese message.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# 郑东新区 has no statistical code (its streets are coded under 金水区). The portal gives
# it a code of its own that can never collide with a statistical one: statistical codes
# are all digits, this one ends in letters. It keeps the 4101 prefix so that
# ``within ["4101"]`` still reads "in Zhengzhou".
ZHENGDONG_ZONE_CODE = "4101ZD"
CITY_CODE = "410100"


def _load(name: str) -> Any:
    with open(REFERENCE_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


# ---------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# ---------------------------------------------------------------------------

_DASHES = "-‐‑‒–—―－﹣−"
_STRIP_RE = re.compile(r"[\s" + re.escape(_DASHES) + r"]+", re.UNICODE)


@dataclass(frozen=True)
class CreditCodeCheck:
    code: str
    entity_type: str
    # False when the organisation-code check character (position 17, GB 11714) does not
    # hold: the code is kept but the record is flagged for an official's review.
    org_code_ok: bool


def normalize_credit_code(raw: str) -> str:
    """Full-width → half-width (NFKC), upper-case, drop all white space (U+3000 too) and dashes."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return _STRIP_RE.sub("", text).upper()


@lru_cache(maxsize=1)
def _uscc_structure() -> dict:
    return _load("uscc_structure.json")


def _alphabet() -> str:
    return _uscc_structure()["alphabet"]


def _authority_codes() -> set[str]:
    return set(_uscc_structure()["parts"][0]["values"])


def org_code_check_char(body: str) -> str:
    """GB 11714 check character for the 8-character organisation-code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = 0
    for ch, w in zip(body, weights, strict=True):
        value = int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10
        total += value * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character (position 18), computed by python-stdnum."""
    return uscc.calc_check_digit(first17)


def entity_type_for(code: str) -> str:
    """DESIGN §3: the entity type from the first two characters of the credit code."""
    prefix = code[:2]
    if prefix == "11":
        return "government"
    if prefix == "12":
        return "public_institution"
    if prefix in {"51", "52", "53"}:
        return "social_organisation"
    return {"91": "enterprise", "92": "individual_business", "93": "farmer_cooperative"}.get(prefix, "other")


def validate_credit_code(code: str) -> CreditCodeCheck:
    """Validate a credit code to GB 32100-2015 (normalising it first).

    python-stdnum checks the final character but rejects codes whose registration
    authority (position 1) is a letter (A, N, Y), which the standard allows: for those
    the format is checked here and the check character still comes from stdnum.
    """
    code = normalize_credit_code(code)
    if not code:
        raise ValidationError("统一社会信用代码不能为空", code="required")
    if len(code) != 18:
        raise ValidationError(
            "统一社会信用代码应为18位，实际为%(n)d位：%(code)s",
            code="length",
            params={"n": len(code), "code": code},
        )
    alphabet = _alphabet()
    bad = sorted({c for c in code if c not in alphabet})
    if bad:
        raise ValidationError(
            "统一社会信用代码含有不允许的字符（%(chars)s；不使用I、O、Z、S、V）：%(code)s",
            code="charset",
            params={"chars": "".join(bad), "code": code},
        )
    if code[0] not in _authority_codes():
        raise ValidationError(
            "统一社会信用代码第1位（登记管理部门代码）无效：%(code)s", code="authority", params={"code": code}
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            "统一社会信用代码第3-8位（行政区划码）应为数字：%(code)s", code="region", params={"code": code}
        )
    try:
        if code[0].isdigit():
            uscc.validate(code)
        elif code[-1] != uscc_check_char(code[:17]):
            raise stdnum_exceptions.InvalidChecksum()
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            "统一社会信用代码校验位（第18位）不正确：%(code)s", code="checksum", params={"code": code}
        ) from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            "统一社会信用代码格式不正确：%(code)s", code="format", params={"code": code}
        ) from None
    body = code[8:16]
    org_ok = all(c.isdigit() or "A" <= c <= "Z" for c in body) and code[16] == org_code_check_char(body)
    return CreditCodeCheck(code=code, entity_type=entity_type_for(code), org_code_ok=org_ok)


def credit_code_make(first17: str) -> str:
    """Complete a 17-character prefix with its check character (for synthetic data and tests)."""
    return first17 + uscc_check_char(first17)


def credit_code_from_parts(*, prefix: str, region: str, org_body: str) -> str:
    """Build a valid code from its parts: 2-char prefix, 6-digit region, 8-char organisation body."""
    first17 = prefix + region + org_body + org_code_check_char(org_body)
    return credit_code_make(first17)


# ---------------------------------------------------------------------------
# Administrative divisions and functional zones
# ---------------------------------------------------------------------------

# First two digits of GB/T 2260 province-level codes (incl. Taiwan, Hong Kong, Macau).
_PROVINCE_PREFIXES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}  # fmt: skip


def _clean_text(value: Any) -> str:
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _name_variants(name: str) -> set[str]:
    variants = {name}
    for prefix in ("河南省郑州市", "郑州市", "河南省", "郑州"):
        if name.startswith(prefix) and len(name) > len(prefix):
            variants.add(name[len(prefix) :])
    return variants


@lru_cache(maxsize=1)
def _divisions() -> dict:
    data = _load("zhengzhou_divisions.json")
    districts: dict[str, str] = {data["city"]["code"]: data["city"]["name"]}
    district_names: dict[str, str] = {
        data["city"]["name"]: data["city"]["code"],
        "郑州": data["city"]["code"],
    }
    for row in data["county_level_divisions"]:
        districts[row["code"]] = row["name"]
        names = {row["name"], row.get("short_name") or row["name"]}
        for n in list(names):
            for suffix in ("区", "县", "市"):
                if n.endswith(suffix) and len(n) > 2:
                    names.add(n[: -len(suffix)])
        for n in names:
            district_names[n] = row["code"]
    zones: dict[str, str] = {}
    zone_names: dict[str, str] = {}
    short = {"410171": ["经开区", "郑州经开区", "经济技术开发区"], "410172": ["高新区", "郑州高新区"],
             "410173": ["航空港区", "郑州航空港区", "航空港", "港区", "航空港经济综合实验区"]}  # fmt: skip
    for row in data["functional_zones"]:
        code = row["stat_code"] or ZHENGDONG_ZONE_CODE
        zones[code] = row["name"]
        for n in [row["name"], *short.get(code, [])]:
            zone_names[n] = code
    zone_names["郑东"] = ZHENGDONG_ZONE_CODE
    return {
        "districts": districts,
        "district_names": district_names,
        "zones": zones,
        "zone_names": zone_names,
    }


def zhengzhou_districts() -> dict[str, str]:
    """Zhengzhou's county-level divisions {code: name}, without the city code."""
    return {c: n for c, n in _divisions()["districts"].items() if c != CITY_CODE}


def zhengzhou_zones() -> dict[str, str]:
    """Functional zones {code: name}, incl. 郑东新区 under the project's own code."""
    return dict(_divisions()["zones"])


def normalize_district(value: str) -> str:
    """A division code or Chinese name → the 6-digit code.

    Zhengzhou's codes and names (incl. short names such as 管城区, 金水) are checked
    against the reference list; the functional zones' statistical codes 410171-410173
    are county-level statistical units and accepted too. A code elsewhere in China is
    accepted by its form (6 digits, a province prefix).
    """
    text = _clean_text(value)
    if not text:
        raise ValidationError("行政区划不能为空", code="required")
    div = _divisions()
    if text.isdigit():
        if len(text) == 12 or len(text) == 9:  # street/village-level statistical codes
            text = text[:6]
        if len(text) != 6:
            raise ValidationError("行政区划代码应为6位数字：%(v)s", code="invalid", params={"v": value})
        if text.startswith("4101"):
            if text in div["districts"] or (text in div["zones"]):
                return text
            raise ValidationError("郑州市没有这个行政区划代码：%(v)s", code="unknown", params={"v": value})
        if text[:2] not in _PROVINCE_PREFIXES:
            raise ValidationError("行政区划代码无效：%(v)s", code="invalid", params={"v": value})
        return text
    for name in _name_variants(text):
        if name in div["district_names"]:
            return div["district_names"][name]
        code = div["zone_names"].get(name)
        if code and code.isdigit():
            return code
        if code:
            raise ValidationError(
                "郑东新区是功能区，没有行政区划代码：请在“功能区”中填写，行政区划填写所在区（通常为金水区）",
                code="zone_not_district",
            )
    raise ValidationError(
        "未知的行政区划：%(v)s（请填写郑州市的区县名称或6位代码）", code="unknown", params={"v": value}
    )


def normalize_zone(value: str | None) -> str:
    """A functional-zone code or name → its code; empty → "" (in no functional zone)."""
    text = _clean_text(value)
    if not text or text in {"无", "-", "—", "否"}:
        return ""
    div = _divisions()
    upper = text.upper()
    if upper in div["zones"]:
        return upper
    for name in _name_variants(text):
        if name in div["zone_names"]:
            return div["zone_names"][name]
    raise ValidationError(
        "未知的功能区：%(v)s（可填：经开区、高新区、航空港区、郑东新区或其代码）",
        code="unknown",
        params={"v": value},
    )


def district_name(code: str) -> str:
    """Display name of a division code ("" for blank; the code itself when not in Zhengzhou)."""
    if not code:
        return ""
    return _divisions()["districts"].get(code) or _divisions()["zones"].get(code) or code


def zone_name(code: str) -> str:
    if not code:
        return ""
    return _divisions()["zones"].get(code, code)


# ---------------------------------------------------------------------------
# Industries (GB/T 4754-2017)
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _industries() -> dict:
    data = _load("gbt4754_sections.json")
    sections: dict[str, str] = {}
    divisions: dict[str, tuple[str, str]] = {}
    names: dict[str, str] = {}
    for section in data["sections"]:
        sections[section["code"]] = section["name"].strip()
        names[section["name"].strip()] = section["code"]
        for division in section["divisions"]:
            divisions[division["code"]] = (section["code"], division["name"].strip())
            names[division["name"].strip()] = section["code"] + division["code"]
    return {"sections": sections, "divisions": divisions, "names": names}


def industry_sections() -> dict[str, str]:
    return dict(_industries()["sections"])


def industry_divisions() -> dict[str, tuple[str, str]]:
    """{division code: (section letter, name)}"""
    return dict(_industries()["divisions"])


_INDUSTRY_RE = re.compile(r"^([A-Z]?)(\d{2,4})$")


def normalize_industry(value: str, *, allow_section: bool = True) -> str:
    """GB/T 4754-2017 code → "C3411" (section letter + 2-4 digits).

    Accepts the code with or without the section letter ("3411", "c 3411"), a bare
    section letter ("C", when ``allow_section``), or an exact section/division name
    ("制造业", "软件和信息技术服务业"). The section and the division must exist and agree;
    deeper codes inside a known division are accepted (no licensed 4-level table).
    """
    raw = _clean_text(value)
    text = raw.upper().replace("-", "").replace(".", "")
    if not text:
        raise ValidationError("行业代码不能为空", code="required")
    ind = _industries()
    if raw in ind["names"]:
        text = ind["names"][raw]
    if len(text) == 1 and text in ind["sections"]:
        if allow_section:
            return text
        raise ValidationError(
            "行业代码至少要到大类（两位数字），如 C34：%(v)s", code="too_coarse", params={"v": value}
        )
    match = _INDUSTRY_RE.match(text)
    if not match:
        raise ValidationError(
            "行业代码格式不正确：%(v)s（应为门类字母加2-4位数字，如 C3411、I65）",
            code="invalid",
            params={"v": value},
        )
    letter, digits = match.groups()
    if letter and letter not in ind["sections"]:
        raise ValidationError(
            "国民经济行业分类中没有门类 %(l)s：%(v)s", code="unknown", params={"l": letter, "v": value}
        )
    division = ind["divisions"].get(digits[:2])
    if division is None:
        raise ValidationError(
            "国民经济行业分类中没有大类 %(d)s：%(v)s", code="unknown", params={"d": digits[:2], "v": value}
        )
    if letter and letter != division[0]:
        raise ValidationError(
            "行业门类与大类不符：大类 %(d)s 属于门类 %(s)s，不是 %(l)s",
            code="mismatch",
            params={"d": digits[:2], "s": division[0], "l": letter},
        )
    return division[0] + digits


def industry_name(code: str) -> str:
    """Display name: the division's name (or the section's), with the code."""
    if not code:
        return ""
    ind = _industries()
    if len(code) == 1:
        return ind["sections"].get(code, code)
    division = ind["divisions"].get(code[1:3])
    return division[1] if division else code


# ---------------------------------------------------------------------------
# Enterprise size (国统字〔2017〕213号)
# ---------------------------------------------------------------------------

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
    return _load("sme_2017.json")


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
        if not digits and _industries()["divisions"].get(div, ("",))[0] == section:
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


# ---------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------


def normalize_period(value: Any) -> str:
    """ "2024", "2024H1", "2024Q2", "2024-05" or "" (no periodicity); raises ValidationError.
    The parsing is ``matching.criteria.periods.period_normalize`` (the one period parser)."""
    # Imported here, not at the top: the criteria package imports this module (district and
    # industry codes), so a top-level import would be circular whichever is imported first.
    from matching.criteria.periods import period_normalize

    period = period_normalize(
        value if isinstance(value, str | int | float) or value is None else _clean_text(value)
    )
    if period is None:
        raise ValidationError(
            "期间格式不正确：%(v)s（应为 2024、2024H1、2024Q2 或 2024-05）",
            code="invalid",
            params={"v": value},
        )
    return period


def period_bounds(period: str) -> tuple[date | None, date | None]:
    """First and last day of a period; (None, None) for "" (an indicator without periodicity)."""
    from matching.criteria.periods import period_bounds as bounds  # see normalize_period

    return bounds(normalize_period(period))
