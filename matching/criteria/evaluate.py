"""The Python evaluator: SQL's three-valued logic over one profile, with an explanation.

Outcomes are True (met), False (not met) and None (unknown). ``all`` is false if any
child is false, ``any`` true if any child is true, ``not unknown`` is unknown.
The compiler (``compiler.py``) must give the same answer for every profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from . import vocabulary as V
from .periods import age_years, period_bounds, period_label, resolve_period, year_range, years_before  # noqa: F401
from .profile import Profile, TagHolding
from .render import fmt_value, render_condition, render_negated
from .values import num, profile_division, to_date

ELIGIBLE, POSSIBLE, NOT_ELIGIBLE = "eligible", "possible", "not_eligible"
OUTCOME_WORD = {True: "met", False: "not_met", None: "unknown"}
RESULT_OF = {True: ELIGIBLE, None: POSSIBLE, False: NOT_ELIGIBLE}


@dataclass
class ConditionResult:
    path: str
    field: str
    op: str
    value: Any
    actual: Any  # the enterprise's value the condition read (None = unknown)
    outcome: str  # met / not_met / unknown
    text: str  # Chinese: requirement, outcome and the value held
    period: str | None = None  # the explicit period read (indicators)

    def as_dict(self) -> dict:
        return {"path": self.path, "field": self.field, "op": self.op, "value": self.value,
                "actual": _jsonable(self.actual), "outcome": self.outcome, "text": self.text,
                "period": self.period}  # fmt: skip


@dataclass
class Evaluation:
    result: str
    conditions: list[ConditionResult] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)  # [{"field", "label", ...}] for "possible"
    reasons: list[str] = field(default_factory=list)  # what is met, in Chinese

    @property
    def eligible(self) -> bool:
        return self.result == ELIGIBLE


@dataclass
class NearMiss:
    path: str
    field: str
    needed: str  # the requirement that is not met, in Chinese
    actual: str  # the value held, in Chinese
    text: str
    result_if_met: str = ELIGIBLE  # eligible or possible
    condition: dict | None = None  # the condition as written (to be met, or under a not: to fail)
    actual_value: Any = None  # the raw value held (Decimal, date, str, …; None = unknown)

    def as_dict(self) -> dict:
        return {"path": self.path, "field": self.field, "needed": self.needed, "actual": self.actual,
                "text": self.text, "result_if_met": self.result_if_met, "condition": self.condition,
                "actual_value": _jsonable(self.actual_value)}  # fmt: skip


def _jsonable(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, TagHolding):
        return {"recognized_on": v.recognized_on.isoformat() if v.recognized_on else None,
                "expires_on": v.expires_on.isoformat() if v.expires_on else None, "first_time": v.first_time}  # fmt: skip
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


# ---- 3VL --------------------------------------------------------------------------
def and3(values) -> bool | None:
    result: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def or3(values) -> bool | None:
    result: bool | None = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


def not3(v: bool | None) -> bool | None:
    return None if v is None else not v


# ---- values -------------------------------------------------------------------------
def _period_key(period: str):
    start, end = period_bounds(period)
    return (end is not None, end or date.min, start is not None, start or date.min, period)


def latest_value(values: dict[str, Any] | None, as_of: date, *, numeric: bool) -> Any:
    """The value of the most recent period that has begun by ``as_of`` (periods without
    dates count as oldest); only numeric or only text values, as the condition reads."""
    if not values:
        return None
    best = None
    for period, value in values.items():
        if numeric != isinstance(value, Decimal):
            continue
        start, _ = period_bounds(period)
        if start is not None and start > as_of:
            continue
        key = _period_key(period)
        if best is None or key > best[0]:
            best = (key, value)
    return None if best is None else best[1]


def latest_period(values: dict[str, Any] | None, as_of: date, *, numeric: bool) -> str | None:
    if not values:
        return None
    candidates = [p for p, v in values.items() if numeric == isinstance(v, Decimal)
                  and (period_bounds(p)[0] is None or period_bounds(p)[0] <= as_of)]  # fmt: skip
    return max(candidates, key=_period_key) if candidates else None


def indicator_kind(value: Any) -> str:
    """numeric / flag / code, from the condition's value (the validator types it)."""
    first = value[0] if isinstance(value, list) else value
    if isinstance(first, bool):
        return V.FLAG
    if isinstance(first, str):
        return V.CODE
    return V.NUMERIC


def _compare(op: str, actual: Any, value: Any) -> bool:
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    if op == "<":
        return actual < value
    if op == "<=":
        return actual <= value
    if op == ">":
        return actual > value
    if op == ">=":
        return actual >= value
    if op == "between":
        return value[0] <= actual <= value[1]
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    raise ValueError(op)


def _conv(value: Any, fn) -> Any:
    return [fn(v) for v in value] if isinstance(value, list) else fn(value)


def _flag(v: Any) -> Decimal:
    return Decimal(1) if v else Decimal(0)


def tag_valid(h: TagHolding, as_of: date) -> bool:
    return (h.recognized_on is None or h.recognized_on <= as_of) and (
        h.expires_on is None or h.expires_on >= as_of
    )


def _prefix_outcome(actual: str, codes: list[str]) -> bool | None:
    """within: True if the profile code lies in any code; unknown if it is coarser than one."""
    unknown = not actual
    for c in codes:
        if actual and actual.startswith(c):
            return True
        if actual and c.startswith(actual) and c != actual:
            unknown = True
    return None if unknown else False


def leaf_outcome(cond: dict, profile: Profile, as_of: date) -> tuple[bool | None, Any, str | None]:
    """(outcome, actual value, explicit period read) of one condition."""
    f, op, value = cond["field"], cond["op"], cond["value"]
    if f == "tags":
        return _tag_outcome(cond, profile, as_of)
    if f in ("district", "industry"):
        actual = profile.district if f == "district" else profile.industry
        code = profile_division(actual) if f == "district" else (actual or "")
        out = _prefix_outcome(code, value)
        return (out if op == "within" else not3(out)), (actual or None), None
    if f == "zone":
        actual = profile.zone or ""
        return _compare(op, actual, value), actual, None
    if f in ("entity_type", "scale"):
        actual = getattr(profile, f) or None
        return (None if actual is None else _compare(op, actual, value)), actual, None
    if f in ("established_on", "registered_capital", "age_years"):
        if f == "established_on":
            actual = profile.established_on
            target = _conv(value, to_date)
        elif f == "registered_capital":
            actual = profile.registered_capital
            target = _conv(value, num)
        else:
            actual = Decimal(age_years(profile.established_on, as_of)) if profile.established_on else None
            target = _conv(value, num)
        return (None if actual is None else _compare(op, actual, target)), actual, None
    # an indicator
    kind = indicator_kind(value)
    values = profile.indicators.get(f)
    period = resolve_period(cond.get("period"), as_of)
    numeric = kind != V.CODE
    if period is None:
        period = latest_period(values, as_of, numeric=numeric)
    actual = (values or {}).get(period) if period is not None else None
    if actual is not None and numeric != isinstance(actual, Decimal):
        actual = None
    if actual is None:
        return None, None, period
    if kind == V.FLAG:
        target = _conv(value, _flag)
    elif kind == V.CODE:
        target = value
    else:
        target = _conv(value, num)
    return _compare(op, actual, target), actual, period


def _tag_outcome(cond: dict, profile: Profile, as_of: date) -> tuple[bool | None, Any, None]:
    op, value = cond["op"], cond["value"]
    if op == "has":
        held = profile.tags.get(value)
        rec, first = cond.get("recognized"), cond.get("first_time")
        if rec is None and not first:
            return (held is not None and tag_valid(held, as_of)), held, None
        if held is None:
            return False, None, None
        parts: list[bool | None] = []
        if rec is not None:
            lo, hi = year_range(rec, as_of)
            if held.recognized_on is None:
                parts.append(None)
            else:
                parts.append(
                    (lo is None or held.recognized_on >= lo) and (hi is None or held.recognized_on <= hi)
                )
        if first:
            parts.append(held.first_time)
        return and3(parts), held, None
    valid = [n for n in value if n in profile.tags and tag_valid(profile.tags[n], as_of)]
    if op == "has_any":
        return bool(valid), valid, None
    if op == "has_all":
        return len(valid) == len(value), valid, None
    return not valid, valid, None  # has_none


# ---- trees --------------------------------------------------------------------------
def iter_leaves(node: dict, path: str = "", nots: int = 0, ancestors: tuple = ()):
    """(path, condition, number of enclosing nots, ancestor (path, node) pairs) for every condition."""
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        for i, child in enumerate(node[key]):
            p = f"{path}.{key}[{i}]" if path else f"{key}[{i}]"
            yield from iter_leaves(child, p, nots, (*ancestors, (path, node)))
    elif "not" in node:
        p = f"{path}.not" if path else "not"
        yield from iter_leaves(node["not"], p, nots + 1, (*ancestors, (path, node)))
    elif node:
        yield path, node, nots, ancestors


def combine(node: dict, path: str, leaf: dict[str, bool | None], memo: dict[str, bool | None] | None = None):
    """The 3VL value of ``node`` from the outcomes of its leaves (keyed by path)."""
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        vals = []
        for i, child in enumerate(node[key]):
            p = f"{path}.{key}[{i}]" if path else f"{key}[{i}]"
            vals.append(combine(child, p, leaf, memo))
        out = and3(vals) if key == "all" else or3(vals)
    elif "not" in node:
        out = not3(combine(node["not"], f"{path}.not" if path else "not", leaf, memo))
    elif not node:
        out = True
    else:
        out = leaf[path]
    if memo is not None:
        memo[path] = out
    return out


def missing_label(cond: dict, as_of: date) -> dict:
    """What to supply when this condition is unknown (the same for every profile, so SQL can use it)."""
    f = cond["field"]
    if f == "tags":
        name = cond["value"]
        asks = []
        if cond.get("recognized") is not None:
            asks.append("认定日期")
        if cond.get("first_time"):
            asks.append("是否首次认定")
        return {"field": "tags", "tag": name, "label": f"{name}{'、'.join(asks)}"}
    spec = V.field_spec(f)
    if spec and spec.indicator:
        period = resolve_period(cond.get("period"), as_of)
        label = f"{spec.name}（{period_label(period, as_of=as_of)}）"
        return {"field": f, "period": period or "latest", "label": label}
    labels = {"district": "注册地所在区县", "industry": "所属行业（具体行业代码）", "age_years": "成立日期",
              "scale": "企业规模（从业人员、营业收入、资产总额）"}  # fmt: skip
    field = "established_on" if f == "age_years" else f
    return {"field": field, "label": labels.get(f) or (spec.name if spec else f)}


def missing_labels(missing: Any) -> list[str]:
    """The labels of what is missing, to show or send: ``Evaluation.missing`` or a match's stored
    copy (the items ``missing_label`` makes; older rows may hold text or objects)."""
    out = []
    for item in missing or []:
        if isinstance(item, dict):
            out.append(str(item.get("label") or item.get("text") or item.get("field") or item))
        else:
            text = getattr(item, "label", None) or getattr(item, "text", None) or getattr(item, "field", None)
            out.append(str(text or item))
    return out


def _actual_text(cond: dict, actual: Any, period: str | None) -> str:
    f = cond["field"]
    if f == "tags":
        if cond["op"] == "has":
            if actual is None:
                return "未持有"
            bits = []
            if actual.recognized_on:
                bits.append(f"{actual.recognized_on.isoformat()}认定")
            if actual.expires_on:
                bits.append(f"有效期至{actual.expires_on.isoformat()}")
            if actual.first_time is not None:
                bits.append("首次认定" if actual.first_time else "非首次认定")
            return "持有" + (f"（{'，'.join(bits)}）" if bits else "")
        return "有效资质：" + ("、".join(actual) if actual else "无")
    spec = V.field_spec(f)
    if actual is None:
        return "未知"
    text = fmt_value(spec, actual)
    if period and spec and spec.indicator:
        text += f"（{period_label(period)}）"
    return text


def compile_evaluator(tree: dict):
    """The tree as a function ``(profile, as_of) -> True | False | None``, built once per tree
    (cache it per policy version) for bulk re-matching; short-circuits like SQL's AND/OR."""

    def build(node: dict):
        if not node:
            return lambda p, d: True
        if "all" in node:
            fs = [build(c) for c in node["all"]]
            return lambda p, d: and3(f(p, d) for f in fs)
        if "any" in node:
            fs = [build(c) for c in node["any"]]
            return lambda p, d: or3(f(p, d) for f in fs)
        if "not" in node:
            g = build(node["not"])
            return lambda p, d: not3(g(p, d))
        return lambda p, d: leaf_outcome(node, p, d)[0]

    return build(tree or {})


def evaluate_result(tree: dict, profile: Profile, *, as_of: date) -> str:
    """Only the result ("eligible" / "possible" / "not_eligible"): no texts, for bulk re-matching."""
    return RESULT_OF[compile_evaluator(tree)(profile, as_of)]


def evaluate(tree: dict, profile: Profile, *, as_of: date) -> Evaluation:
    """Evaluate a (validated) tree on one profile: the result, every condition explained,
    what is missing when the result is "possible", and the reasons it is met."""
    tree = tree or {}
    leaves = list(iter_leaves(tree))
    outcomes: dict[str, bool | None] = {}
    conditions: list[ConditionResult] = []
    for path, cond, _nots, _anc in leaves:
        out, actual, period = leaf_outcome(cond, profile, as_of)
        outcomes[path] = out
        need = render_condition(cond, as_of=as_of)
        word = {True: "符合", False: "不符合", None: "待补充数据"}[out]
        conditions.append(ConditionResult(
            path=path, field=cond["field"], op=cond["op"], value=cond["value"], actual=actual,
            outcome=OUTCOME_WORD[out], text=f"{need}：{word}（当前：{_actual_text(cond, actual, period)}）",
            period=period,
        ))  # fmt: skip
    memo: dict[str, bool | None] = {}
    root = combine(tree, "", outcomes, memo)
    result = RESULT_OF[root]
    missing: list[dict] = []
    if root is None:
        seen = set()
        for path, cond, _nots, ancestors in leaves:
            if outcomes[path] is None and all(memo[a] is None for a, _ in ancestors):
                item = missing_label(cond, as_of)
                if item["label"] not in seen:
                    seen.add(item["label"])
                    missing.append(item)
    reasons = []
    by_path = {c.path: c for c in conditions}
    for path, cond, nots, _anc in leaves:
        out = outcomes[path]
        if out is None or out != (nots % 2 == 0):
            continue
        text = render_condition(cond, as_of=as_of) if nots % 2 == 0 else render_negated(cond, as_of=as_of)
        reasons.append(f"{text}（当前：{_actual_text(cond, by_path[path].actual, by_path[path].period)}）")
    return Evaluation(result=result, conditions=conditions, missing=missing, reasons=reasons)


def near_misses(tree: dict, profile: Profile, *, as_of: date) -> list[NearMiss]:
    """For a tree the profile does not meet: each single condition whose change would make it
    eligible or possible, with the value needed and the value held. [] unless not eligible."""
    tree = tree or {}
    leaves = list(iter_leaves(tree))
    outcomes: dict[str, Any] = {}
    details = {}
    for path, cond, _n, _a in leaves:
        out, actual, period = leaf_outcome(cond, profile, as_of)
        outcomes[path] = out
        details[path] = (actual, period)
    if combine(tree, "", outcomes) is not False:
        return []
    misses = []
    for path, cond, _nots, _anc in leaves:
        out = outcomes[path]
        if out is None:
            continue
        flipped = dict(outcomes)
        flipped[path] = not out
        after = combine(tree, "", flipped)
        if after is False:
            continue
        needed = render_condition(cond, as_of=as_of) if not out else render_negated(cond, as_of=as_of)
        actual = _actual_text(cond, *details[path])
        misses.append(NearMiss(
            path=path, field=cond["field"], needed=needed, actual=actual,
            text=f"需{needed}，当前：{actual}", result_if_met=RESULT_OF[after], condition=cond,
            actual_value=details[path][0],
        ))  # fmt: skip
    return misses
