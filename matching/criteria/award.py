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

from django.db.models import Case, DecimalField, Exists, Expression, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Round

from enterprises.models import IndicatorValue

from . import vocabulary as V
from .compiler import _compile, ids_for
from .errors import CriteriaError
from .evaluate import evaluate, latest_value
from .periods import parse_period, period_label, resolve_period
from .render import fmt_money
from .validate import MAX_CONDITIONS, count_conditions, validate

FUNCTIONS = {"min": (1, 20), "max": (1, 20), "floor": (1, 1), "ceil": (1, 1), "round": (1, 2)}
CORE_NUMBERS = {"registered_capital"}
MAX_LENGTH = 500
# Nesting of parentheses and calls, and cases: far beyond a real award, and within what SQLite's
# parser (~100 levels for the whole query of a chunk) takes for the worst expression so deep.
MAX_DEPTH = 10
MAX_CASES = 20
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
                if (
                    name == "round"
                    and len(args) == 2
                    and (args[1][0] != "num" or args[1][1] != int(args[1][1]))
                ):
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
        raise CriteriaError(
            [{"path": "award", "message": '奖补金额应为对象：{"amount": …} 或 {"cases": […]}'}]
        )
    extra = set(award) - {"amount", "cases", "cap"}
    if extra:
        errors.append(
            {"path": "award", "message": f"未知的键：{'、'.join(sorted(extra))}（可用 amount、cases、cap）"}
        )
    out: dict[str, Any] = {}
    if ("amount" in award) == ("cases" in award):
        errors.append({"path": "award", "message": "amount 与 cases 须有且只有一个"})
    if "amount" in award:
        out["amount"] = amount(award["amount"], "award.amount")
    if "cases" in award:
        cases = award["cases"]
        if not isinstance(cases, list) or not cases:
            errors.append({"path": "award.cases", "message": "cases 应为非空列表"})
        elif len(cases) > MAX_CASES:
            errors.append({"path": "award.cases", "message": f"情形超过 {MAX_CASES} 种"})
        else:
            out["cases"] = []
            for i, case in enumerate(cases):
                path = f"award.cases[{i}]"
                if not isinstance(case, dict) or set(case) - {"when", "amount"} or "amount" not in case:
                    errors.append({"path": path, "message": '每个情形应为 {"when": 条件, "amount": 金额}'})
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
        errors.append({"path": "award.cases", "message": f"各情形的条件合计超过 {MAX_CONDITIONS} 个"})
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


# ---- compilation to SQL -----------------------------------------------------------------
def compile_award(award: dict | None, *, as_of: date, id_range: tuple[int, int] | None = None):
    """A Django expression for the award of each Enterprise row: Decimal yuan (2 places), NULL when
    unknown or when no case applies. ``Enterprise.objects.filter(q).aggregate(Sum(compile_award(...)))``.

    Shallow SQL whatever the award (SQLite's parser stack is ~100 deep): the cases are one flat
    ``CASE``; each amount is one ``AmountSQL`` (arithmetic with only the parentheses the parse tree
    needs, nested ``min``/``max`` of one kind as one call, the cap folded in as one more ``min``
    argument); no part of an amount is written twice. ``id_range`` as in ``compile_tree``."""
    out_field = DecimalField(max_digits=20, decimal_places=2)
    if not award:
        return Value(None, output_field=out_field)
    texts = [c["amount"] for c in award.get("cases", [])] + [award.get("amount"), award.get("cap")]
    codes = {ref[0] for t in texts if t not in (None, "") for ref in _inputs(parse_amount(t))}
    ids = ids_for(
        [c.get("when") or {} for c in award.get("cases", [])], indicator_codes=codes, id_range=id_range
    )
    cap = parse_amount(award["cap"]) if award.get("cap") not in (None, "") else None

    def amount(text):
        node = parse_amount(text)
        return AmountSQL(node if cap is None else ("call", "min", [node, cap]), as_of=as_of, ids=ids)

    if "cases" not in award:
        return _Round(amount(award["amount"]), 2, output_field=out_field)
    # The first case whose ``when`` is true gives the amount; an unknown ``when`` before it makes
    # the amount unknown. In one CASE: ``WHEN T1 THEN a1 WHEN NOT F1 THEN NULL WHEN T2 …``: a row
    # that reaches ``NOT F1`` is not T1, so it is unknown exactly when it is not F1 (T and F are
    # never NULL), and no ``when`` tree is written twice.
    null = Value(None, output_field=_dec())
    whens: list[When] = []
    for case in award["cases"]:
        t, f = _compile(case.get("when") or {}, as_of, ids)
        if t is True and not whens:
            return _Round(amount(case["amount"]), 2, output_field=out_field)
        if t is not False:
            whens.append(When(_always() if t is True else t, then=amount(case["amount"])))
        if t is True or f is False:  # the rest cannot matter: this case is true or unknown
            if f is False and t is not True:
                whens.append(When(_always(), then=null))
            break
        if f is not True:
            whens.append(When(~f, then=null))
    if not whens:
        return Value(None, output_field=out_field)
    return _Round(_Case(*whens, default=null, output_field=_dec()), 2, output_field=out_field)


class _Case(Case):
    """A CASE without the ``CAST(… AS NUMERIC)`` Django wraps around a decimal one on SQLite: every
    level of nesting counts on SQLite's parser stack (the value is converted to Decimal on reading)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context)


class _Round(Round):
    """ROUND without the ``CAST(… AS NUMERIC)`` around it on SQLite (as ``_Case``)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context)


def _always() -> Q:
    return Q(pk__isnull=False)


def _inputs(node) -> list[tuple[str, str | None]]:
    if node[0] == "ind":
        return [(node[1], node[2])]
    if node[0] == "num":
        return []
    return [ref for sub in _children(node) for ref in _inputs(sub)]


def _children(node) -> list:
    if node[0] in ("num", "ind"):
        return []
    if node[0] == "neg":
        return [node[1]]
    if node[0] == "bin":
        return [node[2], node[3]]
    return list(node[2])


def _input_rows(name: str, period: str | None, as_of: date, ids):
    rows = IndicatorValue.objects.filter(
        enterprise=OuterRef("pk"), indicator_id=ids.indicator(name), value__isnull=False
    )
    p = resolve_period(period, as_of)
    if p is None:
        return rows.filter(Q(period_start__isnull=True) | Q(period_start__lte=as_of)), True
    return rows.filter(period=p), False


def _dec():
    return DecimalField(max_digits=38, decimal_places=10)


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_ATOM = 9


class AmountSQL(Expression):
    """One amount expression as SQL, NULL when it is unknown (an input is missing, or a divisor is 0).

    Written from the parse tree: ``a + b - c`` flat, parentheses only where the tree needs them (a
    right operand of the same precedence, a sum inside a product), ``min(a, min(b, c))`` as one
    ``MIN(a, b, c)``: the text nests no deeper than the expression's own structure. The inputs
    (each indicator value a ``LIMIT 1`` sub-query, ``registered_capital`` a column) are the source
    expressions, so Django resolves them against the outer query.

    NULL follows by itself through ``+ - * /``, ``FLOOR``, ``CEILING``, ``ROUND`` and SQLite's
    multi-argument ``MIN``/``MAX``. PostgreSQL's ``LEAST``/``GREATEST`` skip NULLs, so there an
    expression with a min/max is guarded once: ``CASE WHEN <every input is there> AND <every divisor
    under a min/max is not 0> THEN … END`` (the inputs tested by ``EXISTS``; each divisor written
    twice at most, never a whole argument)."""

    def __init__(self, node, *, as_of: date, ids, output_field=None):
        super().__init__(output_field=output_field or _dec())
        self.node = node
        refs: list[tuple[str, str | None]] = []
        for ref in _inputs(node):
            if ref not in refs:
                refs.append(ref)
        self.refs = refs
        self.guarded = _has_minmax(node)
        values, exists = [], []
        for name, period in refs:
            if name == "registered_capital":
                values.append(F("registered_capital"))
                exists.append(Q(registered_capital__isnull=False))
                continue
            rows, latest = _input_rows(name, period, as_of, ids)
            if latest:
                rows = rows.order_by(
                    F("period_end").desc(nulls_last=True), F("period_start").desc(nulls_last=True)
                )
            values.append(Subquery(rows.values("value")[:1]))
            exists.append(Exists(rows))
        self.sources = values + (exists if self.guarded else [])

    def __repr__(self) -> str:
        return f"AmountSQL({self.node!r})"

    @property
    def identity(self):  # the parse tree holds lists (unhashable); the sources say the rest
        return (self.__class__, repr(self.node), tuple(repr(s) for s in self.sources))

    def get_source_expressions(self):
        return list(self.sources)

    def set_source_expressions(self, exprs):
        self.sources = list(exprs)

    def as_sql(self, compiler, connection):
        compiled = [compiler.compile(s) for s in self.sources]
        n = len(self.refs)
        inputs = {ref: compiled[i] for i, ref in enumerate(self.refs)}
        sqlite = connection.vendor == "sqlite"
        sql, params, _prec = _render(self.node, inputs, sqlite)
        if not self.guarded or sqlite:
            return sql, params
        checks = [compiled[n + i] for i in range(n)]
        for divisor in _divisors_under_minmax(self.node):
            d_sql, d_params, _p = _render(divisor, inputs, sqlite)
            checks.append((f"{d_sql} <> 0", d_params))
        guard = " AND ".join(c[0] for c in checks)
        return f"CASE WHEN {guard} THEN {sql} END", [p for c in checks for p in c[1]] + list(params)


def _has_minmax(node) -> bool:
    return (node[0] == "call" and node[1] in ("min", "max")) or any(_has_minmax(c) for c in _children(node))


def _divisors_under_minmax(node, under: bool = False) -> list:
    """The divisors whose zero a min/max would hide (PostgreSQL's LEAST/GREATEST skip the NULL)."""
    out = []
    if node[0] == "bin" and node[1] == "/" and under:
        out.append(node[3])
    under = under or (node[0] == "call" and node[1] in ("min", "max"))
    for c in _children(node):
        out += _divisors_under_minmax(c, under)
    return out


def _nesting(node) -> int:
    return 1 + max((_nesting(c) for c in _children(node)), default=0) if _children(node) else 0


def _render(node, inputs: dict, sqlite: bool) -> tuple[str, list, int]:
    """(sql, params, precedence of its top operator) of an amount parse tree."""
    kind = node[0]
    if kind == "num":
        return "CAST(%s AS NUMERIC)", [node[1]], _ATOM
    if kind == "ind":
        sql, params = inputs[(node[1], node[2])]
        return sql, list(params), _ATOM
    if kind == "neg":
        if node[1][0] == "neg":  # --x is x (the parser allows 250 minus signs in a row)
            return _render(node[1][1], inputs, sqlite)
        sql, params, prec = _render(node[1], inputs, sqlite)
        return ("-" + (sql if prec == _ATOM else f"({sql})")), params, 3
    if kind == "bin":
        op = node[1]
        p = _PRECEDENCE[op]
        a_sql, a_params, a_prec = _render(node[2], inputs, sqlite)
        b_sql, b_params, b_prec = _render(node[3], inputs, sqlite)
        if op == "/":
            a_sql = a_sql if a_prec >= p else f"({a_sql})"
            if sqlite:  # x / 0 is NULL on SQLite; "* 1.0": it divides integers as integers
                b_sql = b_sql if b_prec > p else f"({b_sql})"
                return f"{a_sql} * 1.0 / {b_sql}", a_params + b_params, p
            return f"{a_sql} / NULLIF({b_sql}, 0)", a_params + b_params, p
        a_sql = a_sql if a_prec >= p else f"({a_sql})"
        b_sql = b_sql if b_prec > p else f"({b_sql})"
        return f"{a_sql} {op} {b_sql}", a_params + b_params, p
    name, args = node[1], node[2]
    if name in ("min", "max"):
        flat: list = []
        stack = list(reversed(args))
        while stack:  # min(a, min(b, c)) = min(a, b, c): one call, not a nest
            a = stack.pop()
            if a[0] == "call" and a[1] == name:
                stack.extend(reversed(a[2]))
            else:
                flat.append(a)
        # the most nested argument first: "MIN(MAX(…), a)" keeps "MIN(" on SQLite's parser stack
        # per level, "MIN(a, MAX(" keeps "MIN(a," (min and max are commutative, NULLs included)
        flat.sort(key=lambda a: -_nesting(a))
        parts = [_render(a, inputs, sqlite) for a in flat]
        if len(parts) == 1:  # (SQLite's one-argument min() is the aggregate)
            return parts[0]
        fn = (name.upper()) if sqlite else ("LEAST" if name == "min" else "GREATEST")
        return f"{fn}({', '.join(s for s, _p, _q in parts)})", [x for _s, p, _q in parts for x in p], _ATOM
    sql, params, _prec = _render(args[0], inputs, sqlite)
    if name == "floor":
        return f"FLOOR({sql})", params, _ATOM
    if name == "ceil":
        return f"CEILING({sql})", params, _ATOM
    digits = int(args[1][1]) if len(args) == 2 else 0
    return f"ROUND({sql}, {digits})", params, _ATOM
