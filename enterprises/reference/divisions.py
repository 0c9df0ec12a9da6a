"""Zhengzhou's administrative divisions (GB/T 2260) and functional zones: codes and names."""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .common import clean_text, load

# 郑东新区 has no statistical code (its streets are coded under 金水区). The portal gives
# it a code of its own that can never collide with a statistical one: statistical codes
# are all digits, this one ends in letters. It keeps the 4101 prefix so that
# ``within ["4101"]`` still reads "in Zhengzhou".
ZHENGDONG_ZONE_CODE = "4101ZD"
CITY_CODE = "410100"

# First two digits of GB/T 2260 province-level codes (incl. Taiwan, Hong Kong, Macau).
_PROVINCE_PREFIXES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
}  # fmt: skip


def _name_variants(name: str) -> set[str]:
    variants = {name}
    for prefix in ("河南省郑州市", "郑州市", "河南省", "郑州"):
        if name.startswith(prefix) and len(name) > len(prefix):
            variants.add(name[len(prefix) :])
    return variants


@lru_cache(maxsize=1)
def _divisions() -> dict:
    data = load("zhengzhou_divisions.json")
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
    text = clean_text(value)
    if not text:
        raise ValidationError(_("行政区划不能为空"), code="required")
    div = _divisions()
    if text.isdigit():
        if len(text) == 12 or len(text) == 9:  # street/village-level statistical codes
            text = text[:6]
        if len(text) != 6:
            raise ValidationError(_("行政区划代码应为6位数字：%(v)s"), code="invalid", params={"v": value})
        if text.startswith("4101"):
            if text in div["districts"] or (text in div["zones"]):
                return text
            raise ValidationError(_("郑州市没有这个行政区划代码：%(v)s"), code="unknown", params={"v": value})
        if text[:2] not in _PROVINCE_PREFIXES:
            raise ValidationError(_("行政区划代码无效：%(v)s"), code="invalid", params={"v": value})
        return text
    for name in _name_variants(text):
        if name in div["district_names"]:
            return div["district_names"][name]
        code = div["zone_names"].get(name)
        if code and code.isdigit():
            return code
        if code:
            raise ValidationError(
                _(
                    "郑东新区是功能区，没有行政区划代码：请在“功能区”中填写，行政区划填写所在区（通常为金水区）"
                ),
                code="zone_not_district",
            )
    raise ValidationError(
        _("未知的行政区划：%(v)s（请填写郑州市的区县名称或6位代码）"), code="unknown", params={"v": value}
    )


def normalize_zone(value: str | None) -> str:
    """A functional-zone code or name → its code; empty → "" (in no functional zone)."""
    text = clean_text(value)
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
        _("未知的功能区：%(v)s（可填：经开区、高新区、航空港区、郑东新区或其代码）"),
        code="unknown",
        params={"v": value},
    )


@lru_cache(maxsize=1)
def _national_names() -> dict[str, str]:
    """GB/T 2260 names of the whole country, county level and above (gb2260_names.json)."""
    return load("gb2260_names.json")["codes"]


def national_division_name(code: str) -> str:
    """A division elsewhere in China with its city (or its province for a municipality's
    district): 110105 → 北京市朝阳区, 610113 → 西安市雁塔区; "" when the code is unknown."""
    names = _national_names()
    own = names.get(code, "")
    if not own or not code.isdigit() or len(code) != 6:
        return own
    for parent in (code[:4] + "00", code[:2] + "0000"):
        if parent != code and parent in names:
            return names[parent] + own
    return own


def district_name(code: str) -> str:
    """Display name of a division code ("" for blank): Zhengzhou's districts and zones by their
    own names, any other GB/T 2260 code with its city; the code itself when it is unknown."""
    if not code:
        return ""
    return (
        _divisions()["districts"].get(code)
        or _divisions()["zones"].get(code)
        or national_division_name(code)
        or code
    )


def zone_name(code: str) -> str:
    if not code:
        return ""
    return _divisions()["zones"].get(code, code)
