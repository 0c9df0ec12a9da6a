"""The server side of the criteria and award builder: what its pickers offer (one
vocabulary: the core fields, officials' indicators and tags, the reference trees of divisions
and industries) and where a validation error belongs (the validator's path → the builder row
and the condition's Chinese name). The rules stay in ``matching.criteria``: the builder only
names its operators in the legal wording that ``render`` uses."""

from __future__ import annotations

import re
from typing import Any

from enterprises.reference import (
    CITY_CODE,
    industry_divisions,
    industry_sections,
    zhengzhou_districts,
    zhengzhou_zones,
)
from matching.criteria import vocabulary as V
from matching.criteria.periods import period_label

# Operators in the wording of Chinese policy documents (民法典 第一千二百五十九条: 以上/以下
# include the number, 超过/不满 exclude it), by kind of field. ``first_time`` is the builder's
# name for ``has`` with ``"first_time": true``.
OP_LABELS: dict[str, dict[str, str]] = {
    V.NUMERIC: {">=": "以上（含）", ">": "超过", "<=": "以下（含）", "<": "不满", "between": "介于（含两端）",
                "=": "等于", "!=": "不等于"},
    V.DATE: {">=": "不早于", ">": "晚于", "<=": "不晚于", "<": "早于", "between": "期间（含两端）",
             "=": "为", "!=": "不为"},
    V.ENUM: {"in": "属于", "not_in": "不属于", "=": "为", "!=": "不为"},
    V.CODE: {"in": "属于", "not_in": "不属于", "=": "为", "!=": "不为"},
    V.FLAG: {"=": "为", "!=": "不为"},
    V.DIVISION: {"within": "属于", "not_within": "不属于"},
    V.INDUSTRY: {"within": "属于", "not_within": "不属于"},
    V.TAGS: {"has": "持有", "first_time": "首次认定", "has_any": "持有其一", "has_all": "全部持有",
             "has_none": "不持有"},
}  # fmt: skip
PERIODS = ("latest", "last_year", "this_year")
MONEY_UNITS = (("元", 1), ("万元", 10000), ("亿元", 100000000))


def _field(spec: V.FieldSpec, group: str) -> dict:
    return {
        "code": spec.code,
        "name": spec.name,
        "group": group,
        "kind": spec.kind,
        "type": spec.type,
        "unit": spec.unit,
        "indicator": spec.indicator,
        "periodic": spec.indicator and spec.periodicity != "none",
        "ops": [[op, label] for op, label in OP_LABELS[spec.kind].items() if op in _ops(spec)],
        "choices": [[code, zh] for code, (zh, _en) in (spec.choices or {}).items()],
    }


def _ops(spec: V.FieldSpec) -> set[str]:
    ops = set(V.OPS_BY_KIND[spec.kind])
    return ops | {"first_time"} if spec.kind == V.TAGS else ops


def builder_vocabulary(vocabulary: V.Vocabulary) -> dict:
    """Everything the builder's pickers offer, as JSON."""
    fields = [_field(spec, "基本信息") for spec in V.CORE_FIELDS.values()]
    fields += [_field(spec, "经营指标") for spec in vocabulary.indicators.values()]
    divisions = [["41", "河南省（全省）"], [CITY_CODE[:4], "郑州市（全市）"]]
    divisions += [[code, name] for code, name in sorted(zhengzhou_districts().items())]
    divisions += [[code, name] for code, name in sorted(zhengzhou_zones().items()) if code.isdigit()]
    industries = []
    divs = industry_divisions()
    for letter, name in industry_sections().items():
        industries.append([letter, f"{letter} {name}"])
        industries += [[letter + d, f"{letter}{d} {n}"] for d, (s, n) in sorted(divs.items()) if s == letter]
    return {
        "fields": fields,
        "tags": sorted(vocabulary.tags),
        "divisions": divisions,
        "zones": [[code, name] for code, name in sorted(zhengzhou_zones().items())]
        + [["", "不在任何功能区"]],
        "industries": industries,
        "periods": [[p, period_label(p)] for p in PERIODS],
        "money_units": [list(u) for u in MONEY_UNITS],
    }


# --- where an error belongs ------------------------------------------------------------------

_STEP = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")
_CONDITION_KEYS = {"field", "op", "value", "period", "recognized", "first_time"}


def _steps(path: str) -> list[str | int]:
    return [m.group(1) if m.group(1) else int(m.group(2)) for m in _STEP.finditer(path)]


def _path(steps: list[str | int]) -> str:
    out = ""
    for s in steps:
        out += f"[{s}]" if isinstance(s, int) else (f".{s}" if out else s)
    return out


def error_place(root: Any, path: str, vocabulary: V.Vocabulary) -> dict:
    """For an error at ``path`` of ``root`` (a criteria tree, or ``{"award": award}`` for an
    award's paths): ``{"row": <path of the deepest node the builder shows as a row>,
    "where": "条件「上年度营业收入」"}`` ("" where the whole tree is concerned)."""
    node: Any = root
    row: list[str | int] = []
    where = ""
    case = ""
    steps = _steps(path)
    for i, step in enumerate(steps):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        here = steps[: i + 1]
        if isinstance(node, dict) and "field" in node:
            return {"row": _path(here), "where": f"{case}{_condition_name(node, vocabulary)}"}
        if step == "award":
            row, where = here, "奖补金额"
        elif isinstance(step, int) and i > 0 and steps[i - 1] == "cases":
            case = f"第{step + 1}种情形的"
            row, where = here, f"第{step + 1}种情形"
        elif step in ("amount", "cap"):
            row, where = here, case + {"amount": "金额", "cap": "上限"}[step]
        elif isinstance(node, dict) and {"all", "any", "not"} & set(node):
            row, where = here, f"{case}条件组"
    return {"row": _path(row), "where": where}


def _condition_name(node: dict, vocabulary: V.Vocabulary) -> str:
    field = node.get("field")
    spec = vocabulary.field(field) if isinstance(field, str) else None
    name = spec.name if spec is not None else str(field)
    if spec is not None and spec.indicator and isinstance(node.get("period"), str):
        try:
            name = period_label(node["period"]) + name
        except (ValueError, IndexError, KeyError):
            pass
    return f"条件「{name}」"
