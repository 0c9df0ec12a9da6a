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


_CODE_LIKE = re.compile(r"^[A-Za-z]?[\d\s.\-]*$")


def _in_order(text: str, name: str) -> bool:
    """Every character of ``text`` appears in ``name`` in the same order (计算机制造 →
    计算机、通信和其他电子设备制造业)."""
    rest = iter(name)
    return all(ch in rest for ch in text)


def industry_resolve(value: str) -> str:
    """What a person types for an industry → a division-level code ("C39") or deeper.

    A code (anything ``normalize_industry`` accepts, sections refused) is taken as is; else
    a GB/T 4754-2017 division name: the exact name (with or without the final 业), then a
    unique name starting with it, then a unique name containing it, then a unique name
    containing its characters in order (计算机制造 → C39 计算机、通信和其他电子设备制造业).
    Several candidates at a step → a refusal that lists them; none → a refusal. Only the
    97 divisions are named in the reference (no licensed 4-level table), so a group or class
    name resolves to its division."""
    raw = clean_text(value)
    if not raw:
        raise ValidationError(_("行业代码不能为空"), code="required")
    ind = _industries()
    if _CODE_LIKE.match(raw) or raw in ind["names"]:
        return normalize_industry(raw, allow_section=False)
    text = raw.replace(" ", "")
    divisions = [(f"{sec}{code}", name) for code, (sec, name) in ind["divisions"].items()]
    for name_text in (text, text + "业"):
        exact = [code for code, name in divisions if name == name_text]
        if exact:
            return exact[0]
    steps = [
        lambda name: name.startswith(text),
        lambda name: text in name,
        lambda name: len(text) >= 3 and _in_order(text, name),
    ]
    for test in steps:
        found = [(code, name) for code, name in divisions if test(name)]
        if len(found) == 1:
            return found[0][0]
        if len(found) > 1:
            shown = "；".join(f"{code} {name}" for code, name in found[:8])
            more = "……" if len(found) > 8 else ""
            raise ValidationError(
                _("“%(v)s”对应多个行业，请从中选择一个（填写代码或完整名称）：%(choices)s%(more)s"),
                code="ambiguous",
                params={"v": raw, "choices": shown, "more": more},
            )
    raise ValidationError(
        _(
            "国民经济行业分类中没有找到“%(v)s”：请填写行业代码（如 C39、I65）或大类名称（如 计算机、通信和其他电子设备制造业）"
        ),
        code="unknown",
        params={"v": raw},
    )
