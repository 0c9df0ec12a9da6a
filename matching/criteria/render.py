"""Readable renderings of a criteria tree for officials (Chinese) and English readers.

Thresholds follow the legal reading (民法典 第一千二百五十九条): "以上"/"以下" include
the number, "超过"/"不满" exclude it; so ≥ is "500万元以上", > "超过500万元",
< "不满300人", ≤ "300人以下".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from enterprises.reference import district_name, industry_name, zone_name

from . import vocabulary as V
from .periods import period_label
from .values import num, to_date

ZH_JOIN = {"all": " 且 ", "any": " 或 "}
EN_JOIN = {"all": " and ", "any": " or "}


def _en(language: str) -> bool:
    return language.lower().startswith("en")


def fmt_plain(d: Decimal) -> str:
    d = d.normalize()
    text = format(d, "f")
    return text


def fmt_money(value: Any, *, language: str = "zh-hans") -> str:
    d = num(value) if not isinstance(value, Decimal) else value
    if _en(language):
        q = d.normalize()
        return f"{q:,f} yuan" if q != q.to_integral_value() else f"{int(q):,} yuan"
    if d != 0 and d % 100000000 == 0:
        return f"{fmt_plain(d / 100000000)}亿元"
    if d != 0 and d % 10000 == 0:
        return f"{fmt_plain(d / 10000)}万元"
    return f"{fmt_plain(d)}元"


def fmt_date(value: Any, *, language: str = "zh-hans") -> str:
    d = value if isinstance(value, date) else to_date(value)
    if d is None:
        return str(value)
    if _en(language):
        return d.isoformat()
    return f"{d.year}年{d.month}月{d.day}日"


def fmt_value(spec: V.FieldSpec | None, value: Any, *, language: str = "zh-hans") -> str:
    """One value of a field, with its unit."""
    en = _en(language)
    if value is None:
        return "unknown" if en else "未知"
    if spec is None:
        return str(value)
    if spec.kind == V.DATE:
        return fmt_date(value, language=language)
    if spec.kind == V.FLAG:
        truth = bool(value) if not isinstance(value, Decimal) else value != 0
        return ("yes" if truth else "no") if en else ("是" if truth else "否")
    if spec.kind == V.ENUM:
        label = (spec.choices or {}).get(value)
        return (label[1] if en else label[0]) if label else str(value)
    if spec.kind == V.DIVISION:
        return division_name(str(value))
    if spec.kind == V.INDUSTRY:
        return industry_label(str(value))
    if spec.code == "zone":
        return zone_label(str(value), language=language)
    if spec.kind == V.NUMERIC:
        d = value if isinstance(value, Decimal) else num(value)
        if spec.type == "money":
            return fmt_money(d, language=language)
        if spec.type == "percent":
            return f"{fmt_plain(d)}%"
        unit = spec.unit
        if en:
            unit = {"人": " persons", "年": " years"}.get(unit, f" {unit}" if unit else "")
        return f"{fmt_plain(d)}{unit}"
    return str(value)


def division_name(code: str) -> str:
    if code == "41":
        return "河南省"

    full = code.ljust(6, "0") if code.isdigit() else code
    name = district_name(full)
    return name if name != full else f"行政区划{code}"


def zone_label(code: str, *, language: str = "zh-hans") -> str:
    if not code:
        return "in no functional zone" if _en(language) else "不在任何功能区"

    return zone_name(code)


def industry_label(code: str) -> str:
    name = industry_name(code)
    if name == code:
        return code
    return f"{name}（{code}）" if len(code) > 3 else name


def _or(items: list[str], en: bool) -> str:
    return " or ".join(items) if en else "或".join(items)


def _and(items: list[str], en: bool) -> str:
    return ", ".join(items) if en else "、".join(items)


def _recognized_text(rec: Any, en: bool) -> str:
    if rec == "this_year":
        return "recognised this year" if en else "本年度"
    if rec == "last_year":
        return "recognised last year" if en else "上年度"
    if isinstance(rec, int):
        return f"recognised in {rec}" if en else f"{rec}年"
    lo, hi = rec.get("from"), rec.get("to")
    if en:
        if lo and hi:
            return f"recognised {lo} to {hi}"
        return f"recognised from {lo}" if lo else f"recognised by {hi}"
    if lo and hi:
        return f"{fmt_date(lo)}至{fmt_date(hi)}期间"
    return f"{fmt_date(lo)}起" if lo else f"{fmt_date(hi)}前（含当日）"


def _tag_has(cond: dict, en: bool) -> str:
    name = cond["value"]
    rec = cond.get("recognized")
    first = cond.get("first_time")
    if en:
        bits = [b for b in (_recognized_text(rec, en) if rec is not None else "",
                            "for the first time" if first else "") if b]  # fmt: skip
        return f"{name} ({', '.join(bits)})" if bits else name
    prefix = ""
    if rec is not None:
        prefix += _recognized_text(rec, en)
    if first:
        prefix += "首次"
    return f"{prefix}认定的{name}" if prefix else name


def field_label(cond: dict, *, language: str = "zh-hans", as_of: date | None = None) -> str:
    spec = V.field_spec(cond["field"])
    en = _en(language)
    if spec is None:
        return cond["field"]
    name = spec.name_en if en else spec.name
    if spec.indicator:
        period = cond.get("period")
        label = period_label(period, language=language, as_of=as_of)
        return f"{name} ({label})" if en else f"{label}{name}"
    return name


def render_condition(cond: dict, *, language: str = "zh-hans", as_of: date | None = None) -> str:
    """One condition as a phrase: "注册资本500万元以上", "注册地在郑州市"."""
    en = _en(language)
    spec = V.field_spec(cond["field"])
    op, value = cond["op"], cond.get("value")
    label = field_label(cond, language=language, as_of=as_of)

    def fv(v: Any) -> str:
        return fmt_value(spec, v, language=language)

    kind = spec.kind if spec else V.CODE
    if kind == V.TAGS:
        if op == "has":
            return _tag_has(cond, en)
        names = list(value)
        if en:
            return {"has_any": f"holds any of {_and(names, en)}", "has_all": f"holds all of {_and(names, en)}",
                    "has_none": f"holds none of {_and(names, en)}"}[op]  # fmt: skip
        if op == "has_any":
            return names[0] if len(names) == 1 else f"{'或'.join(names)}（任一）"
        if op == "has_all":
            return "且".join(names) if len(names) > 1 else names[0]
        return f"不是{'、'.join(names)}" if len(names) == 1 else f"不是{'、'.join(names)}中的任何一种"
    if kind == V.DIVISION:
        where = _or([division_name(c) for c in value], en)
        if en:
            return f"{'registered' if op == 'within' else 'not registered'} in {where}"
        return f"注册地{'在' if op == 'within' else '不在'}{where}"
    if kind == V.INDUSTRY:
        what = _or([industry_label(c) for c in value], en)
        if en:
            return f"industry {'in' if op == 'within' else 'not in'} {what}"
        return f"所属行业{'为' if op == 'within' else '不为'}{what}"
    if spec and spec.code == "zone":
        values = value if isinstance(value, list) else [value]
        where = _or([zone_label(v, language=language) for v in values], en)
        positive = op in ("=", "in")
        if en:
            return (
                f"{'' if positive else 'not '}located in {where}"
                if any(values)
                else ("in no functional zone" if positive else "in a functional zone")
            )
        if values == [""]:
            return "不在任何功能区" if positive else "位于某一功能区"
        return f"{'位于' if positive else '不位于'}{where}"
    if spec and spec.code == "established_on" and not en:
        if op == "between":
            return f"成立日期在{fv(value[0])}至{fv(value[1])}之间（含当日）"
        words = {">=": "不早于", ">": "晚于", "<": "早于", "<=": "不晚于", "=": "为", "!=": "不为"}
        return f"成立日期{words[op]}{fv(value)}"
    if op in ("in", "not_in"):
        what = _or([fv(v) for v in value], en)
        if en:
            return f"{label} {'is' if op == 'in' else 'is not'} {what}"
        return f"{label}{'为' if op == 'in' else '不为'}{what}"
    if en:
        if op == "between":
            return f"{label} between {fv(value[0])} and {fv(value[1])} (inclusive)"
        sym = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}[op]
        return f"{label} {sym} {fv(value)}"
    if op == "between":
        return f"{label}{fv(value[0])}以上{fv(value[1])}以下"
    if op == ">=":
        return f"{label}{fv(value)}以上"
    if op == ">":
        return f"{label}超过{fv(value)}"
    if op == "<":
        return f"{label}不满{fv(value)}"
    if op == "<=":
        return f"{label}{fv(value)}以下"
    if op == "=":
        return f"{label}为{fv(value)}"
    return f"{label}不为{fv(value)}"


NEGATED_OP = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "in": "not_in",
              "not_in": "in", "within": "not_within", "not_within": "within", "has_any": "has_none",
              "has_none": "has_any"}  # fmt: skip


def negate_condition(cond: dict) -> dict | None:
    """A condition meaning "not cond" (same unknowns), or None when there is no single-op form."""
    op = cond["op"]
    if op == "has" and not cond.get("recognized") and not cond.get("first_time"):
        return {"field": cond["field"], "op": "has_none", "value": [cond["value"]]}
    if op in NEGATED_OP:
        out = dict(cond)
        out["op"] = NEGATED_OP[op]
        return out
    return None


def render_negated(cond: dict, *, language: str = "zh-hans", as_of: date | None = None) -> str:
    neg = negate_condition(cond)
    if neg is not None:
        return render_condition(neg, language=language, as_of=as_of)
    inner = render_condition(cond, language=language, as_of=as_of)
    return f"not ({inner})" if _en(language) else f"非（{inner}）"


def render(tree: dict, *, language: str = "zh-hans", vocabulary: V.Vocabulary | None = None) -> str:
    """A whole tree as one line: "注册地在郑州市 且 注册资本500万元以上 且 (高新技术企业 或 专精特新中小企业)".

    Indicator names come from ``vocabulary`` or from the last vocabulary this process loaded."""
    if vocabulary is not None:
        V.remember_labels(vocabulary)
    en = _en(language)
    if not tree or tree == {"all": []}:
        return "all enterprises (no conditions)" if en else "不限（所有企业）"
    return _render(tree, language, top=True)


def _render(node: dict, language: str, *, top: bool = False) -> str:
    en = _en(language)
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        children = node[key]
        if not children:
            return "everyone" if en else "不限"
        if len(children) == 1:
            return _render(children[0], language, top=top)
        text = (EN_JOIN if en else ZH_JOIN)[key].join(_render(c, language) for c in children)
        return text if top else f"({text})"
    if "not" in node:
        child = node["not"]
        if "field" in child:
            return render_negated(child, language=language)
        inner = _render(child, language, top=True)
        return f"not ({inner})" if en else f"非({inner})"
    return render_condition(node, language=language)
