"""Awards (DESIGN §4): validation, and the amount for one profile in Python. Amount expressions are
parsed in ``amount``; the SQL of an award (``compile_award``) is in ``award_sql``.

``{"amount": "min(0.1 * rd_expense@last_year, 2000000)", "cap": 3000000}`` or
``{"cases": [{"when": <tree>, "amount": "300000"}, {"when": {}, "amount": "100000"}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from . import vocabulary as V
from .amount import CORE_NUMBERS, MAX_DEPTH, AwardSyntaxError, parse_amount
from .award_sql import compile_award
from .errors import CriteriaError
from .evaluate import evaluate, latest_value
from .periods import period_label, resolve_period
from .render import fmt_money
from .validate import MAX_CONDITIONS, count_conditions, validate

__all__ = ["MAX_CASES", "MAX_DEPTH", "AwardResult", "AwardSyntaxError", "award_amount", "award_missing",
           "compile_award", "parse_amount", "validate_award"]  # fmt: skip

MAX_CASES = 20  # far beyond a real award; every backend is tested to compile this many
CENT = Decimal("0.01")


# ---- validation --------------------------------------------------------------------
def validate_award(award: Any, *, vocabulary: V.Vocabulary) -> dict | None:
    """Check an award; return it normalised (amounts as strings, ``when`` trees validated)."""
    if award in (None, {}):
        return None
    names = set(vocabulary.indicators) | CORE_NUMBERS
    errors: list[dict[str, str]] = []

    def amount(value: Any, path: str) -> str | None:
        try:
            parse_amount(value, names=names)
        except AwardSyntaxError as exc:
            errors.append({"path": path, "message": gettext("金额表达式有误：%(error)s") % {"error": exc}})
            return None
        return str(value).strip()

    if not isinstance(award, dict):
        raise CriteriaError(
            [{"path": "award", "message": gettext('奖补金额应为对象：{"amount": …} 或 {"cases": […]}')}]
        )
    extra = set(award) - {"amount", "cases", "cap"}
    if extra:
        errors.append(
            {
                "path": "award",
                "message": gettext("未知的键：%(items)s（可用 amount、cases、cap）")
                % {"items": "、".join(sorted(extra))},
            }
        )
    out: dict[str, Any] = {}
    if ("amount" in award) == ("cases" in award):
        errors.append({"path": "award", "message": gettext("amount 与 cases 须有且只有一个")})
    if "amount" in award:
        out["amount"] = amount(award["amount"], "award.amount")
    if "cases" in award:
        cases = award["cases"]
        if not isinstance(cases, list) or not cases:
            errors.append({"path": "award.cases", "message": gettext("cases 应为非空列表")})
        elif len(cases) > MAX_CASES:
            errors.append(
                {"path": "award.cases", "message": gettext("情形超过 %(max)s 种") % {"max": MAX_CASES}}
            )
        else:
            out["cases"] = []
            for i, case in enumerate(cases):
                path = f"award.cases[{i}]"
                if not isinstance(case, dict) or set(case) - {"when", "amount"} or "amount" not in case:
                    errors.append(
                        {"path": path, "message": gettext('每个情形应为 {"when": 条件, "amount": 金额}')}
                    )
                    continue
                when = case.get("when") or {}
                try:
                    when = validate(when, vocabulary=vocabulary)
                except CriteriaError as exc:
                    for e in exc.errors:
                        errors.append({"path": f"{path}.when" + (f".{e['path']}" if e["path"] else ""),
                                       "message": e["message"]})  # fmt: skip
                out["cases"].append({"when": when, "amount": amount(case["amount"], f"{path}.amount")})
    if "cap" in award and award["cap"] not in (None, ""):
        out["cap"] = amount(award["cap"], "award.cap")
    if not errors and sum(count_conditions(c["when"]) for c in out.get("cases", [])) > MAX_CONDITIONS:
        errors.append(
            {
                "path": "award.cases",
                "message": gettext("各情形的条件合计超过 %(max)s 个") % {"max": MAX_CONDITIONS},
            }
        )
    if errors:
        raise CriteriaError(errors)
    return out


# ---- evaluation in Python ------------------------------------------------------------
@dataclass
class AwardResult:
    amount: Decimal | None  # yuan, to the cent; None = unknown or no case applies
    missing: list[dict] = field(default_factory=list)
    text: str = ""


class _Unknown(Exception):
    def __init__(self, missing: list[dict], reason: str = ""):
        self.missing = missing
        self.reason = reason


def _indicator_missing(name: str, period: str | None, as_of: date) -> dict:
    spec = V.field_spec(name)
    label = spec.name if spec else name
    if name in CORE_NUMBERS:
        return {"field": name, "label": label}
    return {
        "field": name,
        "period": period or "latest",
        "label": f"{label}（{period_label(period, as_of=as_of)}）",
    }


def _eval(node, profile, as_of: date) -> Decimal:
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "ind":
        name, period = node[1], node[2]
        if name == "registered_capital":
            value = profile.registered_capital
        else:
            values = profile.indicators.get(name) or {}
            p = resolve_period(period, as_of)
            value = latest_value(values, as_of, numeric=True) if p is None else values.get(p)
            if not isinstance(value, Decimal):
                value = None
            period = p
        if value is None:
            raise _Unknown([_indicator_missing(name, period, as_of)])
        return value
    if kind == "neg":
        return -_eval(node[1], profile, as_of)
    if kind == "bin":
        missing: list[dict] = []
        vals = []
        for sub in node[2:]:
            try:
                vals.append(_eval(sub, profile, as_of))
            except _Unknown as exc:
                if not exc.missing:
                    raise
                missing += exc.missing
        if missing:
            raise _Unknown(missing)
        a, b = vals
        op = node[1]
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            raise _Unknown([], "除数为零")
        return a / b
    name, args = node[1], node[2]
    missing = []
    vals = []
    for sub in args:
        try:
            vals.append(_eval(sub, profile, as_of))
        except _Unknown as exc:
            missing += exc.missing
            if not exc.missing:
                raise
    if missing:
        raise _Unknown(missing)
    if name == "min":
        return min(vals)
    if name == "max":
        return max(vals)
    if name == "floor":
        return vals[0].to_integral_value(rounding=ROUND_FLOOR)
    if name == "ceil":
        return vals[0].to_integral_value(rounding=ROUND_CEILING)
    digits = int(vals[1]) if len(vals) == 2 else 0
    return vals[0].quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _dedupe(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for m in items:
        if m["label"] not in seen:
            seen.add(m["label"])
            out.append(m)
    return out


def award_amount(award: dict | None, profile, *, as_of: date) -> AwardResult:
    """The award for one profile: an amount in yuan, or None with what is missing."""
    if not award:
        return AwardResult(None, [], "未设定奖补金额")
    try:
        if "cases" in award:
            expr = None
            for i, case in enumerate(award["cases"]):
                ev = evaluate(case.get("when") or {}, profile, as_of=as_of)
                if ev.result == "eligible":
                    expr = case["amount"]
                    break
                if ev.result == "possible":
                    raise _Unknown(ev.missing, f"能否适用第{i + 1}种情形尚不确定")
            if expr is None:
                return AwardResult(None, [], "不符合任何奖补情形")
        else:
            expr = award["amount"]
        amount = _eval(parse_amount(expr), profile, as_of)
        if award.get("cap") not in (None, ""):
            amount = min(amount, _eval(parse_amount(award["cap"]), profile, as_of))
    except _Unknown as exc:
        missing = _dedupe(exc.missing)
        if missing:
            text = "金额待定：需补充" + "、".join(m["label"] for m in missing)
        else:
            text = f"金额无法计算：{exc.reason}"
        return AwardResult(None, missing, text)
    except (InvalidOperation, AwardSyntaxError) as exc:
        return AwardResult(None, [], f"金额无法计算：{exc}")
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return AwardResult(amount, [], f"奖补金额{fmt_money(amount)}")


def award_missing(award: dict | None, profile, *, as_of: date) -> list[dict]:
    return award_amount(award, profile, as_of=as_of).missing
