"""Award amounts (DESIGN §4): a tiny arithmetic language, parsed by our own tokenizer and
recursive-descent parser (never ``eval``): numbers (``30万`` allowed), indicators
(``revenue`` = latest period, ``revenue@last_year``), ``registered_capital``,
``+ - * /``, parentheses and the functions min, max, floor, ceil, round.

``{"amount": "min(0.1 * rd_expense@last_year, 2000000)", "cap": 3000000}`` or
``{"cases": [{"when": <tree>, "amount": "300000"}, {"when": {}, "amount": "100000"}]}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Ceil, Floor, Greatest, Least, NullIf, Round
from django.db.models.lookups import IsNull

from enterprises.models import IndicatorValue

from . import vocabulary as V
from .compiler import _compile, and_, ids_for, not_, or_
from .errors import CriteriaError
from .evaluate import evaluate, latest_value
from .periods import parse_period, period_label, resolve_period
from .render import fmt_money
from .validate import validate

FUNCTIONS = {"min": (1, 20), "max": (1, 20), "floor": (1, 1), "ceil": (1, 1), "round": (1, 2)}
CORE_NUMBERS = {"registered_capital"}
MAX_LENGTH = 500
MAX_DEPTH = 30
CENT = Decimal("0.01")

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)(?P<unit>万|亿)?"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:@(?P<period>[A-Za-z_]+|\d{4}(?:[HhQq]\d|-\d{2})?))?"
    r"|(?P<op>[-+*/(),]))"
)


class AwardSyntaxError(Exception):
    pass


def tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            ch = text[pos:].lstrip()[:1]
            hint = "（不允许属性访问）" if ch == "." else ""
            raise AwardSyntaxError(f"第{pos + 1}个字符处不能识别：{ch!r}{hint}")
        pos = m.end()
        if m.group("num"):
            n = Decimal(m.group("num"))
            n *= {"万": 10000, "亿": 100000000}.get(m.group("unit") or "", 1)
            tokens.append(("num", n))
        elif m.group("name"):
            tokens.append(("name", (m.group("name"), m.group("period"))))
        elif m.group("op"):
            tokens.append(("op", m.group("op")))
        if pos < len(text) and text[pos:].strip() == "":
            break
    return tokens


class _Parser:
    def __init__(self, tokens, names: set[str] | None):
        self.tokens = tokens
        self.i = 0
        self.names = names  # None: accept any name (already validated)
        self.depth = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, op: str):
        tok = self.take()
        if tok != ("op", op):
            raise AwardSyntaxError(f"此处应为 {op!r}")

    def parse(self):
        if not self.tokens:
            raise AwardSyntaxError("金额表达式为空")
        node = self.expr()
        if self.peek()[0] != "end":
            raise AwardSyntaxError(f"多余的内容：{self.peek()[1]!r}")
        return node

    def expr(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AwardSyntaxError("表达式嵌套过深")
        node = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        self.depth -= 1
        return node

    def term(self):
        node = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            node = ("bin", op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        if self.peek() == ("op", "+"):
            self.take()
            return self.unary()
        return self.atom()

    def atom(self):
        kind, val = self.take()
        if kind == "num":
            return ("num", val)
        if kind == "op" and val == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind == "name":
            name, period = val
            if self.peek() == ("op", "("):
                if name not in FUNCTIONS or period:
                    raise AwardSyntaxError(f"不允许调用 {name}（只能用 min、max、floor、ceil、round）")
                self.take()
                args = [self.expr()]
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.expr())
                self.expect(")")
                lo, hi = FUNCTIONS[name]
                if not lo <= len(args) <= hi:
                    raise AwardSyntaxError(f"{name} 的参数个数不对")
                if name == "round" and len(args) == 2 and (args[1][0] != "num" or args[1][1] != int(args[1][1])):
                    raise AwardSyntaxError("round 的第二个参数应为整数（保留几位小数）")
                return ("call", name, args)
            if name in FUNCTIONS:
                raise AwardSyntaxError(f"{name} 是函数，应写成 {name}(…)")
            if self.names is not None and name not in self.names:
                raise AwardSyntaxError(f"未知的名称：{name}（只能用已定义的指标代码或 registered_capital）")
            if period is not None:
                p = parse_period(period)
                if p is None:
                    raise AwardSyntaxError(f"期间格式不正确：{period}")
                if name in CORE_NUMBERS:
                    raise AwardSyntaxError(f"{name} 没有期间")
                period = None if p == "latest" else p
            return ("ind", name, period)
        if kind == "end":
            raise AwardSyntaxError("表达式不完整")
        raise AwardSyntaxError(f"此处不能出现 {val!r}")


def parse_amount(text: Any, *, names: set[str] | None = None):
    if isinstance(text, bool):
        raise AwardSyntaxError("金额应为数字或表达式")
    if isinstance(text, (int, float, Decimal)):
        text = str(text)
    if not isinstance(text, str):
        raise AwardSyntaxError("金额应为数字或表达式（文本）")
    if len(text) > MAX_LENGTH:
        raise AwardSyntaxError("金额表达式过长")
    return _Parser(tokenize(text), names).parse()


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
            errors.append({"path": path, "message": f"金额表达式有误：{exc}"})
            return None
        return str(value).strip()

    if not isinstance(award, dict):
        raise CriteriaError([{"path": "award", "message": "奖补金额应为对象：{\"amount\": …} 或 {\"cases\": […]}"}])
    extra = set(award) - {"amount", "cases", "cap"}
    if extra:
        errors.append({"path": "award", "message": f"未知的键：{'、'.join(sorted(extra))}（可用 amount、cases、cap）"})
    out: dict[str, Any] = {}
    if ("amount" in award) == ("cases" in award):
        errors.append({"path": "award", "message": "amount 与 cases 须有且只有一个"})
    if "amount" in award:
        out["amount"] = amount(award["amount"], "award.amount")
    if "cases" in award:
        cases = award["cases"]
        if not isinstance(cases, list) or not cases:
            errors.append({"path": "award.cases", "message": "cases 应为非空列表"})
        else:
            out["cases"] = []
            for i, case in enumerate(cases):
                path = f"award.cases[{i}]"
                if not isinstance(case, dict) or set(case) - {"when", "amount"} or "amount" not in case:
                    errors.append({"path": path, "message": "每个情形应为 {\"when\": 条件, \"amount\": 金额}"})
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
    return {"field": name, "period": period or "latest", "label": f"{label}（{period_label(period, as_of=as_of)}）"}


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


# ---- compilation to SQL -----------------------------------------------------------------
def compile_award(award: dict | None, *, as_of: date, id_range: tuple[int, int] | None = None):
    """A Django expression for the award of each Enterprise row: Decimal yuan (2 places), NULL when
    unknown or when no case applies. ``Enterprise.objects.filter(q).aggregate(Sum(compile_award(...)))``.

    Each amount is guarded once by "all the inputs it reads are there" (cheap EXISTS), so the
    indicator subqueries appear once each and PostgreSQL's NULL-skipping LEAST/GREATEST never
    see a NULL input (only a division by zero can make one; those arguments are checked).
    ``id_range`` as in ``compile_tree``."""
    out_field = DecimalField(max_digits=20, decimal_places=2)
    null = Value(None, output_field=_dec())
    if not award:
        return Value(None, output_field=out_field)
    sqlite = connection.vendor == "sqlite"
    texts = [c["amount"] for c in award.get("cases", [])] + [award.get("amount"), award.get("cap")]
    codes = {ref[0] for t in texts if t not in (None, "") for ref in _inputs(parse_amount(t))}
    ids = ids_for([c.get("when") or {} for c in award.get("cases", [])], indicator_codes=codes, id_range=id_range)

    def amount(text):
        nodes = [parse_amount(text)]
        if award.get("cap") not in (None, ""):
            nodes.append(parse_amount(award["cap"]))
        exprs = [_expr(n, as_of, sqlite, ids) for n in nodes]
        e = exprs[0] if len(exprs) == 1 else _least(exprs, strict=any(_has_division(n) for n in nodes))
        unknown = or_(*[_input_unknown(ref, as_of, ids) for n in nodes for ref in _inputs(n)])
        if unknown is False:
            return e
        return Case(When(unknown, then=null), default=e, output_field=_dec())

    if "cases" in award:
        whens = []
        for case in award["cases"]:
            t, f = _compile(case.get("when") or {}, as_of, ids)
            unknown = and_(not_(t), not_(f))
            if t is not False:
                whens.append(When(Q(pk__isnull=False) if t is True else t, then=amount(case["amount"])))
            if t is True:
                break
            if unknown is not False:
                whens.append(When(Q(pk__isnull=False) if unknown is True else unknown, then=null))
        if not whens:
            return Value(None, output_field=out_field)
        inner = Case(*whens, default=null, output_field=_dec())
    else:
        inner = amount(award["amount"])
    return Round(inner, 2, output_field=out_field)


def _inputs(node) -> list[tuple[str, str | None]]:
    if node[0] == "ind":
        return [(node[1], node[2])]
    if node[0] == "num":
        return []
    subs = node[1:2] if node[0] == "neg" else (node[2:] if node[0] == "bin" else node[2])
    return [ref for sub in subs for ref in _inputs(sub)]


def _has_division(node) -> bool:
    if node[0] in ("num", "ind"):
        return False
    if node[0] == "bin" and node[1] == "/":
        return True
    subs = node[1:2] if node[0] == "neg" else (node[2:] if node[0] == "bin" else node[2])
    return any(_has_division(s) for s in subs)


def _input_rows(name: str, period: str | None, as_of: date, ids):
    rows = IndicatorValue.objects.filter(enterprise=OuterRef("pk"), indicator_id=ids.indicator(name), value__isnull=False)
    p = resolve_period(period, as_of)
    if p is None:
        return rows.filter(Q(period_start__isnull=True) | Q(period_start__lte=as_of)), True
    return rows.filter(period=p), False


def _input_unknown(ref, as_of: date, ids):
    name, period = ref
    if name == "registered_capital":
        return Q(registered_capital__isnull=True)
    rows, _ = _input_rows(name, period, as_of, ids)
    return ~Q(Exists(rows))


def _dec():
    return DecimalField(max_digits=38, decimal_places=10)


def _least(args, greatest: bool = False, strict: bool = False):
    fn = Greatest if greatest else Least
    if len(args) == 1:
        return args[0]
    if not strict:
        return fn(*args, output_field=_dec())
    # PostgreSQL's LEAST/GREATEST skip NULLs; a division by zero inside must make the result unknown.
    anynull = Q(IsNull(args[0], True))
    for a in args[1:]:
        anynull |= Q(IsNull(a, True))
    return Case(When(anynull, then=Value(None, output_field=_dec())),
                default=fn(*args, output_field=_dec()), output_field=_dec())  # fmt: skip


def _expr(node, as_of: date, sqlite: bool, ids):
    kind = node[0]
    if kind == "num":
        return Value(node[1], output_field=_dec())
    if kind == "ind":
        name, period = node[1], node[2]
        if name == "registered_capital":
            return Cast(F("registered_capital"), output_field=_dec())
        rows, latest = _input_rows(name, period, as_of, ids)
        if latest:
            rows = rows.order_by(F("period_end").desc(nulls_last=True), F("period_start").desc(nulls_last=True))
        return Cast(Subquery(rows.values("value")[:1]), output_field=_dec())
    if kind == "neg":
        return ExpressionWrapper(_expr(node[1], as_of, sqlite, ids) * Value(Decimal(-1), output_field=_dec()),
                                 output_field=_dec())  # fmt: skip
    if kind == "bin":
        a, b = _expr(node[2], as_of, sqlite, ids), _expr(node[3], as_of, sqlite, ids)
        op = node[1]
        if op == "+":
            e = a + b
        elif op == "-":
            e = a - b
        elif op == "*":
            e = a * b
        else:
            if sqlite:  # SQLite divides integers as integers
                a = Cast(a, output_field=FloatField())
            e = a / NullIf(b, Value(Decimal(0), output_field=_dec()))
        return ExpressionWrapper(e, output_field=_dec())
    name, args = node[1], [_expr(a, as_of, sqlite, ids) for a in node[2]]
    if name in ("min", "max"):
        return _least(args, greatest=name == "max", strict=any(_has_division(a) for a in node[2]))
    if name == "floor":
        return Floor(args[0], output_field=_dec())
    if name == "ceil":
        return Ceil(args[0], output_field=_dec())
    digits = int(node[2][1][1]) if len(args) == 2 else 0
    return Round(args[0], digits, output_field=_dec())
