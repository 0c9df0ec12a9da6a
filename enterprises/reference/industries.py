"""Industries (GB/T 4754-2017): sections, divisions, codes and names."""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .common import clean_text, load


@lru_cache(maxsize=1)
def _industries() -> dict:
    data = load("gbt4754_sections.json")
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


def industry_section_of(division: str) -> str:
    """The section letter of a two-digit division, "" when unknown."""
    return _industries()["divisions"].get(division, ("",))[0]


_INDUSTRY_RE = re.compile(r"^([A-Z]?)(\d{2,4})$")


def normalize_industry(value: str, *, allow_section: bool = True) -> str:
    """GB/T 4754-2017 code → "C3411" (section letter + 2-4 digits).

    Accepts the code with or without the section letter ("3411", "c 3411"), a bare
    section letter ("C", when ``allow_section``), or an exact section/division name
    ("制造业", "软件和信息技术服务业"). The section and the division must exist and agree;
    deeper codes inside a known division are accepted (no licensed 4-level table).
    """
    raw = clean_text(value)
    text = raw.upper().replace("-", "").replace(".", "")
    if not text:
        raise ValidationError(_("行业代码不能为空"), code="required")
    ind = _industries()
    if raw in ind["names"]:
        text = ind["names"][raw]
    if len(text) == 1 and text in ind["sections"]:
        if allow_section:
            return text
        raise ValidationError(
            _("行业代码至少要到大类（两位数字），如 C34：%(v)s"), code="too_coarse", params={"v": value}
        )
    match = _INDUSTRY_RE.match(text)
    if not match:
        raise ValidationError(
            _("行业代码格式不正确：%(v)s（应为门类字母加2-4位数字，如 C3411、I65）"),
            code="invalid",
            params={"v": value},
        )
    letter, digits = match.groups()
    if letter and letter not in ind["sections"]:
        raise ValidationError(
            _("国民经济行业分类中没有门类 %(l)s：%(v)s"), code="unknown", params={"l": letter, "v": value}
        )
    division = ind["divisions"].get(digits[:2])
    if division is None:
        raise ValidationError(
            _("国民经济行业分类中没有大类 %(d)s：%(v)s"), code="unknown", params={"d": digits[:2], "v": value}
        )
    if letter and letter != division[0]:
        raise ValidationError(
            _("行业门类与大类不符：大类 %(d)s 属于门类 %(s)s，不是 %(l)s"),
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
