"""The validator: every malformed tree is rejected with the path and a Chinese reason;
a good tree comes back normalised (names → codes, numbers as numbers, periods canonical)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from enterprises.reference import normalize_district, normalize_industry, normalize_zone

from . import vocabulary as V
from .errors import CriteriaError
from .periods import parse_period, period_kind
from .values import json_number, strip_division, to_date, to_decimal

OP_ALIASES = {"==": "=", "eq": "=", "≠": "!=", "<>": "!=", "ne": "!=", "≥": ">=", "≤": "<=", "gte": ">=",
              "lte": "<=", "gt": ">", "lt": "<", "not in": "not_in", "not within": "not_within"}  # fmt: skip
LIST_OPS = {"in", "not_in", "within", "not_within", "has_any", "has_all", "has_none"}
CONDITION_KEYS = {"field", "op", "value", "period", "recognized", "first_time"}
# Bounds of a tree (and of all the ``when`` trees of an award together): far beyond any real
# policy (a few levels, a few dozen conditions), and within what every backend compiles: SQLite's
# parser stack (~100) is shared by every level of nesting in the query of a chunk, and the worst
# tree within these bounds leaves it a margin (tests/criteria/test_compile_large.py).
MAX_DEPTH = 12
MAX_CONDITIONS = 500
PROVINCE_NAMES = {"河南省": "41", "河南": "41"}
PERIODICITY_NAMES = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月度", "none": "不分期"}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Validator:
    def __init__(self, vocabulary: V.Vocabulary):
        self.vocab = vocabulary
        self.errors: list[dict[str, str]] = []

    def err(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "message": message})

    # ---- nodes ---------------------------------------------------------------------
    def node(self, node: Any, path: str, depth: int = 0) -> dict | None:
        if depth > MAX_DEPTH:
            self.err(path, gettext("条件嵌套超过 %(max)s 层") % {"max": MAX_DEPTH})
            return None
        if not isinstance(node, dict):
            self.err(path, gettext("条件节点应为对象（JSON object）"))
            return None
        if not node:
            return {"all": []}
        keys = set(node)
        logical = keys & {"all", "any", "not"}
        if logical:
            if len(keys) != 1:
                self.err(
                    path,
                    gettext("逻辑节点只能有一个键（all、any 或 not），不能同时有：%(items)s")
                    % {"items": "、".join(sorted(keys))},
                )
                return None
            key = next(iter(keys))
            if key == "not":
                child = self.node(node["not"], _join(path, "not"), depth + 1)
                return None if child is None else {"not": child}
            items = node[key]
            if not isinstance(items, list):
                self.err(_join(path, key), gettext("%(key)s 的值应为条件列表") % {"key": key})
                return None
            if key == "any" and not items:
                self.err(_join(path, key), gettext("any 至少要有一个条件"))
                return None
            children = [self.node(c, f"{_join(path, key)}[{i}]", depth + 1) for i, c in enumerate(items)]
            if any(c is None for c in children):
                return None
            return {key: children}
        return self.condition(node, path)

    def condition(self, node: dict, path: str) -> dict | None:
        before = len(self.errors)
        unknown = set(node) - CONDITION_KEYS
        if unknown:
            self.err(
                path,
                gettext("未知的键：%(items)s（条件只能有 field、op、value、period、recognized、first_time）")
                % {"items": "、".join(sorted(unknown))},
            )
        for key in ("field", "op", "value"):
            if key not in node:
                self.err(_join(path, key), gettext("缺少 %(key)s") % {"key": key})
        if len(self.errors) > before:
            return None
        field = node["field"]
        if not isinstance(field, str) or self.vocab.field(field) is None:
            self.err(
                _join(path, "field"),
                gettext("未知字段：%(field)s（可用：核心字段 %(items)s，或已定义的指标代码）")
                % {"field": field, "items": "、".join(V.CORE_FIELDS)},
            )
            return None
        spec = self.vocab.field(field)
        op = node["op"]
        op = OP_ALIASES.get(op, op) if isinstance(op, str) else op
        allowed = V.OPS_BY_KIND[spec.kind]
        if op not in allowed:
            self.err(
                _join(path, "op"),
                gettext("“%(name)s”（%(type)s）不能用运算符 %(op)s，可用：%(items)s")
                % {"name": spec.name, "type": spec.type, "op": node["op"], "items": " ".join(allowed)},
            )
            return None
        out: dict[str, Any] = {"field": field, "op": op}
        value = self.value(spec, op, node["value"], _join(path, "value"))
        if value is not None:
            out["value"] = value
        if "period" in node:
            period = self.period(spec, node["period"], _join(path, "period"))
            if period:
                out["period"] = period
        for key in ("recognized", "first_time"):
            if key in node and spec.kind == V.TAGS and op != "has":
                self.err(
                    _join(path, key),
                    gettext("%(key)s 只能与 has 一起使用（一次只问一个资质的认定情况）") % {"key": key},
                )
            elif key in node and spec.kind != V.TAGS:
                self.err(_join(path, key), gettext("%(key)s 只适用于资质（tags）条件") % {"key": key})
        if spec.kind == V.TAGS and op == "has":
            if "recognized" in node:
                rec = self.recognized(node["recognized"], _join(path, "recognized"))
                if rec is not None:
                    out["recognized"] = rec
            if "first_time" in node:
                ft = node["first_time"]
                if not isinstance(ft, bool):
                    self.err(_join(path, "first_time"), gettext("first_time 应为 true 或 false"))
                elif ft:
                    out["first_time"] = True
        if len(self.errors) > before:
            return None
        return out

    # ---- values --------------------------------------------------------------------
    def value(self, spec: V.FieldSpec, op: str, value: Any, path: str) -> Any:
        if op in LIST_OPS:
            if (
                isinstance(value, (str, int))
                and not isinstance(value, bool)
                and spec.kind in (V.DIVISION, V.INDUSTRY)
            ):
                value = [value]
            if not isinstance(value, list):
                self.err(path, gettext("运算符 %(op)s 的值应为列表") % {"op": op})
                return None
            if not value:
                self.err(path, gettext("值列表不能为空"))
                return None
            items = [self.scalar(spec, v, f"{path}[{i}]") for i, v in enumerate(value)]
            if any(i is None for i in items):
                return None
            seen: list = []
            for i in items:
                if i not in seen:
                    seen.append(i)
            return seen
        if op == "between":
            if not isinstance(value, list) or len(value) != 2:
                self.err(path, gettext("between 的值应为 [下限, 上限] 两个值（含两端）"))
                return None
            lo = self.scalar(spec, value[0], f"{path}[0]")
            hi = self.scalar(spec, value[1], f"{path}[1]")
            if lo is None or hi is None:
                return None
            key = (lambda x: x) if spec.kind == V.DATE else to_decimal
            if key(lo) > key(hi):
                self.err(path, gettext("between 的下限大于上限，没有企业能满足"))
                return None
            return [lo, hi]
        if spec.kind == V.TAGS:  # has
            return self.scalar(spec, value, path)
        if isinstance(value, list):
            self.err(path, gettext("运算符 %(op)s 的值应为单个值，不是列表") % {"op": op})
            return None
        return self.scalar(spec, value, path)

    def scalar(self, spec: V.FieldSpec, value: Any, path: str) -> Any:
        kind = spec.kind
        if kind == V.NUMERIC:
            d = to_decimal(value)
            if d is None:
                self.err(
                    path,
                    gettext("“%(name)s”的值应为数字：%(value)s") % {"name": spec.name, "value": repr(value)},
                )
                return None
            if spec.code == "age_years" and not -200 <= d <= 200:
                self.err(path, gettext("成立年限应在 0 到 200 年之间"))
                return None
            if abs(d) >= 10**15:
                self.err(path, gettext("数值过大：%(value)s") % {"value": repr(value)})
                return None
            return json_number(d)
        if kind == V.DATE:
            d = to_date(value)
            if d is None:
                self.err(
                    path,
                    gettext("“%(name)s”的值应为日期（YYYY-MM-DD）：%(value)s")
                    % {"name": spec.name, "value": repr(value)},
                )
                return None
            return d.isoformat()
        if kind == V.FLAG:
            if isinstance(value, bool):
                return value
            if value in (0, 1) or value in ("是", "否"):
                return value in (1, "是")
            self.err(
                path,
                gettext("“%(name)s”是是/否指标，值应为 true 或 false：%(value)s")
                % {"name": spec.name, "value": repr(value)},
            )
            return None
        if kind == V.ENUM:
            choices = spec.choices or {}
            if isinstance(value, str):
                if value in choices:
                    return value
                for code, (zh, en) in choices.items():
                    if value in (zh, en):
                        return code
            self.err(
                path,
                gettext("“%(name)s”没有这个取值：%(value)s（可用：%(items)s）")
                % {
                    "name": spec.name,
                    "value": repr(value),
                    "items": "、".join(f"{c}({zh})" for c, (zh, _) in choices.items()),
                },
            )
            return None
        if kind == V.CODE:
            if spec.code == "zone":
                return self.zone(value, path)
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                self.err(
                    path,
                    gettext("“%(name)s”的值应为代码（文本）：%(value)s")
                    % {"name": spec.name, "value": repr(value)},
                )
                return None
            text = str(value).strip()
            if not text:
                self.err(path, gettext("代码不能为空"))
                return None
            return text
        if kind == V.DIVISION:
            return self.division(value, path)
        if kind == V.INDUSTRY:
            return self.industry(value, path)
        if kind == V.TAGS:
            if not isinstance(value, str) or not value.strip():
                self.err(path, gettext("资质名称应为文本：%(value)s") % {"value": repr(value)})
                return None
            name = value.strip()
            if name not in self.vocab.tags:
                self.err(
                    path,
                    gettext("未知资质标签：%(name)s（请先在资质标签库中维护，或检查是否有错别字）")
                    % {"name": name},
                )
                return None
            return name
        raise AssertionError(kind)  # pragma: no cover

    def division(self, value: Any, path: str) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.err(path, gettext("行政区划应为代码或名称：%(value)s") % {"value": repr(value)})
            return None
        text = value.strip()
        if text in PROVINCE_NAMES:
            return PROVINCE_NAMES[text]
        if text.isdigit() and len(text) in (2, 4):
            if text[:2] < "11" or text[:2] > "82" or (len(text) == 4 and text.endswith("00")):
                self.err(path, gettext("行政区划代码无效：%(text)s") % {"text": text})
                return None
            return text

        try:
            code = normalize_district(text)
        except ValidationError as exc:
            self.err(path, "；".join(exc.messages))
            return None
        return strip_division(code)

    def zone(self, value: Any, path: str) -> str | None:
        if value is None:
            return ""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.err(path, gettext("功能区应为代码或名称：%(value)s") % {"value": repr(value)})
            return None

        try:
            return normalize_zone(value)
        except ValidationError as exc:
            self.err(path, "；".join(exc.messages))
            return None

    def industry(self, value: Any, path: str) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.err(path, gettext("行业应为 GB/T 4754-2017 代码或名称：%(value)s") % {"value": repr(value)})
            return None

        try:
            return normalize_industry(value)
        except ValidationError as exc:
            self.err(path, "；".join(exc.messages))
            return None

    # ---- options -------------------------------------------------------------------
    def period(self, spec: V.FieldSpec, value: Any, path: str) -> str | None:
        if not spec.indicator:
            self.err(path, gettext("period 只适用于指标，“%(name)s”没有期间") % {"name": spec.name})
            return None
        period = parse_period(value)
        if period is None:
            self.err(
                path,
                gettext(
                    "期间格式不正确：%(value)s（可用 latest、this_year、last_year、2024、2024H1、2024Q2、2024-05）"
                )
                % {"value": repr(value)},
            )
            return None
        if period == "latest":
            return None
        if spec.periodicity == "none":
            self.err(path, gettext("指标“%(name)s”不分期，只能取最近值（latest）") % {"name": spec.name})
            return None
        if period not in ("this_year", "last_year"):
            kind = period_kind(period)
            if kind != "year" and kind != spec.periodicity:
                self.err(
                    path,
                    gettext("指标“%(name)s”按%(periodicity)s统计，没有期间 %(period)s")
                    % {
                        "name": spec.name,
                        "periodicity": PERIODICITY_NAMES.get(spec.periodicity, spec.periodicity),
                        "period": period,
                    },
                )
                return None
        return period

    def recognized(self, value: Any, path: str) -> Any:
        if value in ("this_year", "last_year"):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            if len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2999:
                return int(value)
            self.err(
                path,
                gettext('recognized 应为 this_year、last_year、年份或 {"from", "to"}：%(value)s')
                % {"value": repr(value)},
            )
            return None
        if isinstance(value, dict):
            extra = set(value) - {"from", "to"}
            if extra or not value:
                self.err(path, gettext("recognized 日期范围只能有 from 和 to（至少一个）"))
                return None
            out = {}
            for key in ("from", "to"):
                if key in value and value[key] not in (None, ""):
                    d = to_date(value[key])
                    if d is None:
                        self.err(
                            _join(path, key),
                            gettext("日期格式不正确：%(key)s（应为 YYYY-MM-DD）") % {"key": repr(value[key])},
                        )
                        return None
                    out[key] = d.isoformat()
            if not out:
                self.err(path, gettext("recognized 日期范围至少要有 from 或 to"))
                return None
            if "from" in out and "to" in out and out["from"] > out["to"]:
                self.err(path, gettext("recognized 的 from 晚于 to"))
                return None
            return out
        self.err(
            path,
            gettext('recognized 应为 this_year、last_year、年份或 {"from", "to"}：%(value)s')
            % {"value": repr(value)},
        )
        return None


def validate(tree: Any, *, vocabulary: V.Vocabulary) -> dict:
    """Check a criteria tree; return it normalised, or raise ``CriteriaError`` listing every problem."""
    if tree is None:
        tree = {}
    V.remember_labels(vocabulary)
    v = _Validator(vocabulary)
    out = v.node(tree, "")
    if v.errors or out is None:
        raise CriteriaError(v.errors or [{"path": "", "message": gettext("条件无效")}])
    if count_conditions(out) > MAX_CONDITIONS:
        raise CriteriaError(
            [{"path": "", "message": gettext("条件超过 %(max)s 个") % {"max": MAX_CONDITIONS}}]
        )
    return out


def count_conditions(node: dict) -> int:
    if "not" in node:
        return count_conditions(node["not"])
    if "all" in node or "any" in node:
        return sum(count_conditions(c) for c in node.get("all", node.get("any")))
    return 1 if node else 0


def validate_condition_value(spec: V.FieldSpec, op: str, value: Any, *, vocabulary: V.Vocabulary) -> Any:
    """Normalise one value for a field (used by the award validator)."""
    v = _Validator(vocabulary)
    out = v.value(spec, op, value, "value")
    if v.errors:
        raise CriteriaError(v.errors)
    return out
