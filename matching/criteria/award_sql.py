"""An award as SQL: one Django expression per enterprise row, Decimal yuan (2 places), NULL when
unknown or when no case applies; the same answer as ``award.award_amount``."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, DecimalField, Exists, Expression, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Round

from enterprises.models import IndicatorValue

from .amount import children, inputs, parse_amount
from .compiler import compile_pair, ids_for
from .logic import ALWAYS
from .periods import resolve_period


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
    codes = {ref[0] for t in texts if t not in (None, "") for ref in inputs(parse_amount(t))}
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
        t, f = compile_pair(case.get("when") or {}, as_of, ids)
        if t is True and not whens:
            return _Round(amount(case["amount"]), 2, output_field=out_field)
        if t is not False:
            whens.append(When(ALWAYS if t is True else t, then=amount(case["amount"])))
        if t is True or f is False:  # the rest cannot matter: this case is true or unknown
            if f is False and t is not True:
                whens.append(When(ALWAYS, then=null))
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
# Arguments of one MIN/MAX call: SQLite refuses more than 127 (SQLITE_MAX_FUNCTION_ARG), and
# min(…, min(…, min(…))) flattens to 20 per level × 10 levels.
MAX_ARGS = 100


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
        for ref in inputs(node):
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
        if not checks:  # min/max of numbers only: nothing can be unknown
            return sql, params
        guard = " AND ".join(c[0] for c in checks)
        return f"CASE WHEN {guard} THEN {sql} END", [p for c in checks for p in c[1]] + list(params)


def _has_minmax(node) -> bool:
    return (node[0] == "call" and node[1] in ("min", "max")) or any(_has_minmax(c) for c in children(node))


def _divisors_under_minmax(node, under: bool = False) -> list:
    """The divisors whose zero a min/max would hide (PostgreSQL's LEAST/GREATEST skip the NULL)."""
    out = []
    if node[0] == "bin" and node[1] == "/" and under:
        out.append(node[3])
    under = under or (node[0] == "call" and node[1] in ("min", "max"))
    for c in children(node):
        out += _divisors_under_minmax(c, under)
    return out


def _nesting(node) -> int:
    return 1 + max((_nesting(c) for c in children(node)), default=0) if children(node) else 0


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
        while len(parts) > MAX_ARGS:  # SQLite takes at most 127 arguments: the tail as one more call
            head, tail = parts[: MAX_ARGS - 1], parts[MAX_ARGS - 1 :]
            parts = [*head, _call(fn, tail[:MAX_ARGS]), *tail[MAX_ARGS:]]
        return _call(fn, parts)
    sql, params, _prec = _render(args[0], inputs, sqlite)
    if name == "floor":
        return f"FLOOR({sql})", params, _ATOM
    if name == "ceil":
        return f"CEILING({sql})", params, _ATOM
    digits = int(args[1][1]) if len(args) == 2 else 0
    return f"ROUND({sql}, {digits})", params, _ATOM


def _call(fn: str, parts: list[tuple[str, list, int]]) -> tuple[str, list, int]:
    return f"{fn}({', '.join(s for s, _p, _q in parts)})", [x for _s, p, _q in parts for x in p], _ATOM
