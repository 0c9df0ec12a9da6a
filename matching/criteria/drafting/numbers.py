"""Numbers, units and comparison words as Chinese policy text writes them.

The text is first mapped character for character (full-width digits, brackets, per cent and
punctuation to their ASCII forms), so every offset found in the mapped text is an offset in
the text the official pasted.
"""

from __future__ import annotations

from decimal import Decimal

_FULLWIDTH = {0xFF10 + i: ord("0") + i for i in range(10)}
_FULLWIDTH.update(
    {ord(a): ord(b) for a, b in zip("（）％，；：＞＜．～－〔〕", "()%,;:><.~-[]", strict=True)}
)
_FULLWIDTH[0x3000] = ord(" ")


def plain(text: str) -> str:
    """The text with full-width forms in ASCII, same length (offsets are kept)."""
    return text.translate(_FULLWIDTH)


_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_DIGITS = "零〇一二两三四五六七八九十百千"
NUM = rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}]+)"


def to_number(text: str) -> Decimal | None:
    """'5000' / '1.5' / '三' / '二十' / '一百五十' → Decimal."""
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit():
        return Decimal(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            total += (current or 1) * _SMALL_UNITS[ch]
            current = 0
        else:
            return None
    return Decimal(total + current)


MONEY_UNITS = {"亿元": 100000000, "亿": 100000000, "万元": 10000, "万": 10000, "元": 1}
# One unit pattern: money (never a foreign currency), people, years, per cent.
UNIT = r"(?:亿元|万元|亿(?!美元|美|港)|万(?!美元|美|港)|元|人|名|%|个?年)"


def unit_kind(unit: str) -> str:
    if unit in MONEY_UNITS:
        return "money"
    if unit in ("人", "名"):
        return "people"
    if unit == "%":
        return "percent"
    if unit.endswith("年"):
        return "years"
    return ""


def scaled(number: Decimal, unit: str) -> Decimal:
    return number * MONEY_UNITS.get(unit, 1)


def as_json(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def money_text(number: Decimal) -> str:
    """Yuan as an award amount string ("500000", "0.05")."""
    return format(number.normalize(), "f")


# Comparison words, in the legal reading of 民法典 第一千二百五十九条: 以上/以下/以内/不低于/不超过/达到
# include the number, 超过/高于/低于/不满/不足/未达到 exclude it; "超过X(含)" includes it.
AT_LEAST = ("不低于", "不少于", "不小于", "达到", "达", "满", ">=", "≥")
MORE_THAN = ("超过", "超", "高于", "大于", "多于", ">")
LESS_THAN = ("低于", "少于", "小于", "不足", "不满", "未达到", "<")
AT_MOST = ("不超过", "不高于", "不多于", "未超过", "<=", "≤")
PREFIXES = sorted(AT_LEAST + MORE_THAN + LESS_THAN + AT_MOST, key=len, reverse=True)
PREFIX = "(?:" + "|".join(p.replace(">", r"\>").replace("<", r"\<") for p in PREFIXES) + ")"


def comparison(prefix: str | None, inclusive: str | None, suffix: str | None) -> str | None:
    """The operator a phrase means; ``inclusive`` is "含" / "不含" from a bracket, if any."""
    if prefix in AT_LEAST:
        return ">="
    if prefix in MORE_THAN:
        return ">=" if inclusive == "含" else ">"
    if prefix in LESS_THAN:
        return "<="[: 2 if inclusive == "含" else 1]
    if prefix in AT_MOST:
        return "<="
    if suffix in ("以上", "及以上"):
        return ">" if inclusive == "不含" else ">="
    if suffix in ("以下", "及以下", "以内"):
        return "<" if inclusive == "不含" else "<="
    return None
