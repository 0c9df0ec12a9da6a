"""The compiler: a criteria tree → Django Q objects over ``enterprises.Enterprise``.

Every node compiles to a pair (T, F): the enterprises for which it is true and those
for which it is false; the rest are unknown. ``all`` is (AND T, OR F), ``any`` is
(OR T, AND F), ``not`` swaps the pair, so no SQL NOT ever meets a NULL at the tree
level; each leaf's T and F are NULL-safe (EXISTS, Django's null-aware negation, or
COALESCE around comparisons with a scalar subquery). One query, set-based, and the
same three-valued answer as ``evaluate`` for every enterprise.

Constants are Python booleans until the end, so trivially true/false parts vanish.
"""

from __future__ import annotations

import json
import math
import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
    LessThanOrEqual,
    Range,
)

from enterprises.models import EnterpriseTag, IndicatorDefinition, TagDefinition

from . import vocabulary as V
from .evaluate import indicator_kind, iter_leaves, missing_label
from .periods import resolve_period, year_range, years_before
from .values import division_unknown_values, industry_unknown_values, num, to_date

Cond = bool | Q  # True / False constants or a Q

COMPLEMENT = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "between": "not_between",
              "not_between": "between", "in": "not_in", "not_in": "in"}  # fmt: skip
LOOKUP = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "in": "in"}
LOOKUP_CLASS = {
    "=": Exact,
    "<": LessThan,
    "<=": LessThanOrEqual,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
    "in": In,
}
NOTHING = Q(pk__in=[])


def and_(*items: Cond) -> Cond:
    qs = []
    for x in items:
        if x is False:
            return False
        if x is not True:
            qs.append(x)
    return _chain(operator.and_, qs) if qs else True


def or_(*items: Cond) -> Cond:
    qs = []
    for x in items:
        if x is True:
            return True
        if x is not False:
            qs.append(x)
    return _chain(operator.or_, qs) if qs else False


GROUP = 64


def _chain(op, qs: list[Q]) -> Q:
    """``q1 op q2 op …``. SQLite parses a flat chain into an expression ``len(qs)`` deep and refuses
    one deeper than 1,000 ("Expression tree is too large"): a long chain is cut into groups of
    ``GROUP``, each one parenthesised operand (Django would merge nested Q objects back into one
    chain, hence the wrapper)."""
    if len(qs) <= GROUP or connection.vendor != "sqlite":
        return reduce(op, qs)
    groups = [reduce(op, qs[i : i + GROUP]) for i in range(0, len(qs), GROUP)]
    return _chain(op, [Q(ExpressionWrapper(g, output_field=BooleanField())) for g in groups])


def not_(x: Cond) -> Cond:
    if isinstance(x, bool):
        return not x
    return ~x


def to_q(x: Cond) -> Q:
    """A condition as a Q usable in ``.filter()`` (Q() = everyone)."""
    if x is True:
        return Q()
    if x is False:
        return NOTHING
    return x


@dataclass
class CompiledCriteria:
    eligible_q: Q
    not_eligible_q: Q
    true: Cond  # the same as constants (True = everyone, False = no one) or Q
    false: Cond

    @property
    def possible_q(self) -> Q:
        """Neither eligible nor not eligible: unknown."""
        return to_q(and_(not_(self.true), not_(self.false)))


@dataclass
class UnknownLeaf:
    path: str
    missing: dict  # {"field", "label", ...} as in Evaluation.missing
    q: Q  # enterprises for which this condition is unknown and it matters (its ancestors are unknown)


# ---- leaves ---------------------------------------------------------------------------
def _field_q(col: str, op: str, value: Any) -> Cond:
    """A comparison on a column that is known (not NULL) wherever it is used."""
    if op == "between":
        return Q(**{f"{col}__gte": value[0], f"{col}__lte": value[1]})
    if op == "not_between":
        return Q(**{f"{col}__lt": value[0]}) | Q(**{f"{col}__gt": value[1]})
    if op in ("!=", "not_in"):
        return ~Q(**{f"{col}__{LOOKUP[COMPLEMENT[op]]}": value})
    return Q(**{f"{col}__{LOOKUP[op]}": value})


def _pair(col: str, op: str, value: Any, known: Cond) -> tuple[Cond, Cond]:
    """(T, F) of a comparison on a nullable column, where ``known`` says the value is there."""
    return and_(known, _field_q(col, op, value)), and_(known, _field_q(col, COMPLEMENT[op], value))


def _expr_q(expr, op: str, value: Any) -> Q:
    """A NULL-safe comparison on an expression that may be NULL (false when it is)."""

    def pos(o: str, v: Any) -> Q:
        return Q(Coalesce(LOOKUP_CLASS[o](expr, v), Value(False), output_field=BooleanField()))

    def neg(o: str, v: Any) -> Q:  # true when known and the lookup fails
        return ~Q(Coalesce(LOOKUP_CLASS[o](expr, v), Value(True), output_field=BooleanField()))

    if op == "between":  # one subquery per row, not two
        return Q(Coalesce(Range(expr, tuple(value)), Value(False), output_field=BooleanField()))
    if op == "not_between":
        return ~Q(Coalesce(Range(expr, tuple(value)), Value(True), output_field=BooleanField()))
    if op == "!=":
        return neg("=", value)
    if op == "not_in":
        return neg("in", value)
    return pos(op, value)


def _age_pair(op: str, value: Any, as_of: date) -> tuple[Cond, Cond]:
    """age_years compiled to established_on thresholds: age >= n ⇔ established_on <= years_before(n)."""

    def at_least(n: int) -> Cond:  # age >= n, for a known established_on
        t = years_before(as_of, n)
        if t is None:
            return False
        if t == date.max:
            return True
        return Q(established_on__lte=t)

    def pair_ge(n: int) -> tuple[Cond, Cond]:
        t = at_least(n)
        return and_(known, t), and_(known, not_(t))

    known = Q(established_on__isnull=False)
    x = num(value) if op != "between" else None
    if op == ">=":
        return pair_ge(math.ceil(x))
    if op == ">":
        return pair_ge(math.floor(x) + 1)
    if op == "<":
        t, f = pair_ge(math.ceil(x))
        return f, t
    if op == "<=":
        t, f = pair_ge(math.floor(x) + 1)
        return f, t
    if op in ("=", "!="):
        if x != x.to_integral_value():
            t, f = False, known
        else:
            n = int(x)
            t = and_(known, at_least(n), not_(at_least(n + 1)))
            f = and_(known, or_(not_(at_least(n)), at_least(n + 1)))
        return (t, f) if op == "=" else (f, t)
    lo, hi = num(value[0]), num(value[1])
    ge_lo, le_hi = at_least(math.ceil(lo)), not_(at_least(math.floor(hi) + 1))
    return and_(known, ge_lo, le_hi), and_(known, or_(not_(ge_lo), not_(le_hi)))


def _prefix_pair(col: str, op: str, codes: list[str]) -> tuple[Cond, Cond]:
    unknown_values = {""}
    for c in codes:
        unknown_values.update(division_unknown_values(c) if col == "district" else industry_unknown_values(c))
    true = or_(*[Q(**{f"{col}__startswith": c}) for c in codes])
    unknown = Q(**{f"{col}__in": sorted(unknown_values)}) | Q(**{f"{col}__isnull": True})
    false = and_(not_(true), not_(unknown))
    return (true, false) if op == "within" else (false, true)


@dataclass
class Ids:
    """Indicator and tag ids the tree names, read once per compilation (one small query each),
    so that PostgreSQL plans with constants: the (indicator, period, value) and (tag, enterprise)
    indexes are used with their statistics. A name that is not defined gets id -1 (no rows)."""

    indicators: dict[str, int]
    tags: dict[str, int]
    derived_tags: frozenset[int] = frozenset()  # portal-computed (画像) tags: may be held by most of the city
    # ``[lo, hi)``: the query only ever asks about enterprises with ids in this range (a chunk of
    # the pipeline), so every indicator and tag set is cut to it: a set is built per query, and a
    # whole-registry set (200,000 holders of a tag) per 100,000-enterprise chunk costs more than
    # the chunk itself.
    id_range: tuple[int, int] | None = None

    def indicator(self, code: str) -> int:
        return self.indicators.get(code, -1)

    def tag_list(self, names: list[str]) -> list[int]:
        return [self.tags.get(n, -1) for n in names]


def ids_for(
    trees: list[dict], *, indicator_codes=(), tag_names=(), id_range: tuple[int, int] | None = None
) -> Ids:
    codes, names = set(indicator_codes), set(tag_names)
    for tree in trees:
        for _p, cond, _n, _a in iter_leaves(tree or {}):
            if cond["field"] == "tags":
                names.update(cond["value"] if isinstance(cond["value"], list) else [cond["value"]])
            elif cond["field"] not in V.CORE_FIELDS:
                codes.add(cond["field"])
    inds = dict(IndicatorDefinition.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
    rows = (
        list(TagDefinition.objects.filter(name__in=names).values_list("name", "id", "derived"))
        if names
        else []
    )
    return Ids(inds, {n: i for n, i, _d in rows}, frozenset(i for _n, i, d in rows if d), id_range)


def _tag_pair(cond: dict, as_of: date, ids: Ids) -> tuple[Cond, Cond]:
    op, value = cond["op"], cond["value"]
    valid = (Q(recognized_on__isnull=True) | Q(recognized_on__lte=as_of)) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=as_of)
    )

    def held(tag_ids: list[int], extra: Q | None = None) -> Q:
        # A tag issued by a department (高新技术企业 …) has few holders (tens of thousands at
        # most): an uncorrelated set, which PostgreSQL joins once or, under OR / NOT, hashes
        # once ("hashed SubPlan") and costs as such; a correlated EXISTS is costed as one
        # probe per enterprise, which drove the planner to 800 k primary-key probes for the
        # DESIGN §4 example. A derived tag (微型企业, 成立10年以上) may be held by most of the
        # city: too big to hash in work_mem, and an unhashed IN would rescan the set per
        # row, so it stays a correlated EXISTS (a semi-join under AND, one probe per row else).
        qs = (
            EnterpriseTag.objects.filter(tag_id=tag_ids[0])
            if len(tag_ids) == 1
            else EnterpriseTag.objects.filter(tag_id__in=tag_ids)
        )
        if extra is not None:
            qs = qs.filter(extra)
        if ids.id_range is not None:
            qs = qs.filter(enterprise_id__gte=ids.id_range[0], enterprise_id__lt=ids.id_range[1])
        if ids.derived_tags.intersection(tag_ids):
            return Q(Exists(qs.filter(enterprise=OuterRef("pk"))))
        return Q(pk__in=qs.values("enterprise_id"))

    if op == "has":
        name = ids.tag_list([value])
        rec, first = cond.get("recognized"), cond.get("first_time")
        if rec is None and not first:
            t = held(name, valid)
            return t, ~t
        t_parts, f_parts = [], []
        if rec is not None:
            lo, hi = year_range(rec, as_of)
            t_parts.append(
                and_(Q(recognized_on__gte=lo) if lo else True, Q(recognized_on__lte=hi) if hi else True)
            )
            f_parts.append(
                or_(Q(recognized_on__lt=lo) if lo else False, Q(recognized_on__gt=hi) if hi else False)
            )
        if first:
            t_parts.append(Q(first_time=True))
            f_parts.append(Q(first_time=False))
        t_row, f_row = and_(*t_parts), or_(*f_parts)
        t = held(name, None if t_row is True else t_row) if t_row is not False else False
        f = or_(~held(name), held(name, f_row) if not isinstance(f_row, bool) else f_row)
        return t, f
    if op == "has_any":
        t = held(ids.tag_list(value), valid)
        return t, ~t
    if op == "has_none":
        t = held(ids.tag_list(value), valid)
        return ~t, t
    parts = [held([i], valid) for i in ids.tag_list(value)]  # has_all
    return and_(*parts), or_(*[~p for p in parts])


class IndicatorSet(Expression):
    """Membership of the outer enterprise in a set of enterprises whose indicator row
    (one explicit period, or the latest period begun by ``as_of``) passes a comparison.

    Always true or false, never NULL, so Django's ``~`` negates it exactly. Each set is
    computed once per query, not probed per enterprise:

    - PostgreSQL: ``EXISTS (SELECT 1 FROM (<rows>) l WHERE l.enterprise_id = outer.id AND
      <cmp>)``; the planner pulls it up into a hashed semi-join (anti-join under NOT) over
      one index-only scan; under OR it becomes a hashed subplan, or, when the set is too big
      for ``work_mem``, one index probe per enterprise (the outer id is pushed down).
      "latest" rows are ``DISTINCT ON (enterprise_id)`` over the
      (indicator, enterprise, period_end DESC, period_start DESC) index, in order, no sort.
    - Other engines (SQLite): ``outer.id IN (SELECT enterprise_id FROM (<rows>) l WHERE <cmp>)``,
      with ``ROW_NUMBER()`` for "latest" (SQLite materialises an uncorrelated IN once).
    """

    conditional = True
    TABLE = "enterprises_indicatorvalue"
    ORDER = "period_end DESC NULLS LAST, period_start DESC NULLS LAST"

    def __init__(self, *, indicator_id: int, period: str | None, as_of: date, code: bool, op: str, value: Any,
                 outer=None, id_range: tuple[int, int] | None = None):  # fmt: skip
        super().__init__(output_field=BooleanField())
        self.indicator_id, self.period, self.as_of, self.code = indicator_id, period, as_of, code
        self.id_range = id_range
        self.op, self.value = op, tuple(value) if isinstance(value, list) else value
        self.outer = outer if outer is not None else F("pk")

    def __repr__(self) -> str:
        return f"IndicatorSet({self.indicator_id}, {self.period!r}, {self.op} {self.value!r})"

    def get_source_expressions(self):
        return [self.outer]

    def set_source_expressions(self, exprs):
        (self.outer,) = exprs

    def _where(self, sqlite: bool = False) -> tuple[str, list]:
        present = "value IS NULL AND text_value <> ''" if self.code else "value IS NOT NULL"
        sql, params = f"indicator_id = %s AND {present}", [self.indicator_id]
        if self.id_range is not None:
            sql, params = (
                sql + " AND enterprise_id >= %s AND enterprise_id < %s",
                params + list(self.id_range),
            )
        if self.period is not None:
            return sql + " AND period = %s", params + [self.period]
        if sqlite:  # begun (or no start): the same without a parenthesis (each one counts on SQLite)
            return sql + " AND period_start > %s IS NOT 1", params + [self.as_of]
        return sql + " AND (period_start IS NULL OR period_start <= %s)", params + [self.as_of]

    def _cmp(self, numeric_param: str) -> tuple[str, list]:
        col = "l.text_value" if self.code else "l.value"
        p = "%s" if self.code else numeric_param
        op, v = self.op, self.value
        if op == "between":
            return f"{col} BETWEEN {p} AND {p}", list(v)
        if op == "not_between":
            return f"({col} < {p} OR {col} > {p})", list(v)
        if op in ("in", "not_in"):
            marks = ", ".join([p] * len(v))
            return f"{col} {'IN' if op == 'in' else 'NOT IN'} ({marks})", list(v)
        return f"{col} {'<>' if op == '!=' else op} {p}", [v]

    def as_postgresql(self, compiler, connection):
        outer_sql, outer_params = compiler.compile(self.outer)
        where, params = self._where()
        if self.period is None:
            rows = (f"SELECT DISTINCT ON (enterprise_id) enterprise_id, value, text_value FROM {self.TABLE} "
                    f"WHERE {where} ORDER BY enterprise_id, {self.ORDER}")  # fmt: skip
        else:
            rows = f"SELECT enterprise_id, value, text_value FROM {self.TABLE} WHERE {where}"
        cmp, cmp_params = self._cmp("%s")
        sql = f"EXISTS (SELECT 1 FROM ({rows}) l WHERE l.enterprise_id = {outer_sql} AND {cmp})"
        return sql, (*params, *outer_params, *cmp_params)

    def as_sql(self, compiler, connection):
        # As few levels of nesting as the rows need (SQLite's parser stack is shared by all of them).
        outer_sql, outer_params = compiler.compile(self.outer)
        where, params = self._where(sqlite=connection.vendor == "sqlite")
        cmp, cmp_params = self._cmp("CAST(%s AS NUMERIC)")
        if self.period is None:
            sql = (f"{outer_sql} IN (SELECT l.enterprise_id FROM (SELECT enterprise_id, value, text_value, "
                   f"ROW_NUMBER() OVER (PARTITION BY enterprise_id ORDER BY {self.ORDER}) AS rn "
                   f"FROM {self.TABLE} WHERE {where}) l WHERE l.rn = 1 AND {cmp})")  # fmt: skip
        else:
            sql = f"{outer_sql} IN (SELECT l.enterprise_id FROM {self.TABLE} l WHERE {where} AND {cmp})"
        return sql, (*outer_params, *params, *cmp_params)


def _indicator_pair(cond: dict, as_of: date, ids: Ids) -> tuple[Cond, Cond]:
    code, op, value = cond["field"], cond["op"], cond["value"]
    kind = indicator_kind(value)
    if kind == V.FLAG:
        value = [1 if v else 0 for v in value] if isinstance(value, list) else (1 if value else 0)
    elif kind == V.NUMERIC:
        value = [num(v) for v in value] if isinstance(value, list) else num(value)
    period = resolve_period(cond.get("period"), as_of)

    def member(o: str) -> Q:
        return Q(IndicatorSet(indicator_id=ids.indicator(code), period=period, as_of=as_of, code=kind == V.CODE,
                              op=o, value=value, id_range=ids.id_range))  # fmt: skip

    return member(op), member(COMPLEMENT[op])


def leaf_pair(cond: dict, as_of: date, ids: Ids) -> tuple[Cond, Cond]:
    """(T, F) of one validated condition."""
    f, op, value = cond["field"], cond["op"], cond["value"]
    if f == "tags":
        return _tag_pair(cond, as_of, ids)
    if f in ("district", "industry"):
        return _prefix_pair(f, op, value)
    if f == "zone":
        t = _field_q("zone", op, value)
        return t, not_(t)
    if f in ("entity_type", "scale"):
        known = Q(**{f"{f}__isnull": False}) & ~Q(**{f: ""})
        return _pair(f, op, value, known)
    if f == "established_on":
        v = [to_date(x) for x in value] if isinstance(value, list) else to_date(value)
        return _pair(f, op, v, Q(established_on__isnull=False))
    if f == "registered_capital":
        v = [num(x) for x in value] if isinstance(value, list) else num(value)
        return _pair(f, op, v, Q(registered_capital__isnull=False))
    if f == "age_years":
        return _age_pair(op, value, as_of)
    return _indicator_pair(cond, as_of, ids)


def _compile(
    node: dict, as_of: date, ids: Ids, memo: dict | None = None, path: str = ""
) -> tuple[Cond, Cond]:
    if not node:
        out = (True, False)
    elif "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        pairs = [
            _compile(c, as_of, ids, memo, f"{path}.{key}[{i}]" if path else f"{key}[{i}]")
            for i, c in enumerate(node[key])
        ]
        if connection.vendor == "sqlite":
            # The most nested child first: SQLite's parser keeps only a "(" on its stack (~100 deep)
            # for a parenthesis that opens an operand, but "x AND (" for one that follows it, so
            # "((… OR b) AND a)" costs a third of "a AND (b OR (…))" per level. AND and OR are
            # commutative in three-valued logic too; PostgreSQL keeps the written order.
            order = sorted(range(len(pairs)), key=lambda i: -_height(node[key][i]))
            pairs = [pairs[i] for i in order]
        ts, fs = [p[0] for p in pairs], [p[1] for p in pairs]
        out = (and_(*ts), or_(*fs)) if key == "all" else (or_(*ts), and_(*fs))
    elif "not" in node:
        t, f = _compile(node["not"], as_of, ids, memo, f"{path}.not" if path else "not")
        out = (f, t)
    else:
        out = leaf_pair(node, as_of, ids)
    if memo is not None:
        memo[path] = out
    return out


def _height(node: dict) -> int:
    """Levels of parentheses a node's SQL nests (``not`` swaps T and F and adds none)."""
    if "not" in node:
        return _height(node["not"])
    if "all" in node or "any" in node:
        return 1 + max((_height(c) for c in node.get("all", node.get("any"))), default=0)
    return 0


def compile_tree(tree: dict, *, as_of: date, id_range: tuple[int, int] | None = None) -> CompiledCriteria:
    """A validated tree → ``CompiledCriteria(eligible_q, not_eligible_q)`` over Enterprise.

    ``Enterprise.objects.filter(c.eligible_q)`` is one query; possible = neither
    (``c.possible_q``). Compiling reads the ids of the indicators and tags named (≤ 2 small queries).
    With ``id_range=(lo, hi)`` the Q objects are only valid for enterprises with ``lo <= id < hi``
    (the caller filters to that range): the indicator and tag sets are cut to it.
    """
    t, f = _compile(tree or {}, as_of, ids_for([tree], id_range=id_range))
    return CompiledCriteria(eligible_q=to_q(t), not_eligible_q=to_q(f), true=t, false=f)


def compile_unknown_leaves(
    tree: dict, *, as_of: date, id_range: tuple[int, int] | None = None
) -> list[UnknownLeaf]:
    """For the "missing" list of possible matches, set-based: one entry per missing label
    (as ``Evaluation.missing`` names it), with the enterprises for which that condition is
    unknown and decides the result (it and all its ancestors are unknown).

    ``Enterprise.objects.filter(possible_q & leaf.q)`` are the enterprises missing ``leaf.missing``:
    ``leaf.q`` is only meaningful together with ``possible_q`` (the root is unknown), which keeps it
    small: under an unknown ``all`` a child is unknown exactly when it is not true, under an unknown
    ``any`` when it is not false, under ``not`` always, so each condition on the way down is one side
    of a node (never the whole root again, as "unknown" = not true and not false would be).
    ``id_range`` as in ``compile_tree``.
    """
    tree = tree or {}
    memo: dict[str, tuple[Cond, Cond]] = {}
    _compile(tree, as_of, ids_for([tree], id_range=id_range), memo)
    out: dict[str, UnknownLeaf] = {}
    conds: dict[str, list[Cond]] = {}
    for path, cond, _nots, ancestors in iter_leaves(tree):
        chain = [a for a, _n in ancestors[1:]] + ([path] if ancestors else [])  # below the root, to the leaf
        q = and_(*[_unknown_under(memo[p], parent) for p, (_a, parent) in zip(chain, ancestors, strict=True)])
        if q is False:
            continue
        item = missing_label(cond, as_of)
        label = item["label"]
        if label not in out:
            out[label] = UnknownLeaf(path=path, missing=item, q=NOTHING)
        conds.setdefault(label, []).append(q)
    for label, leaf in out.items():  # (``Q()`` cannot be a ``When`` condition: "always" is pk IS NOT NULL)
        q = or_(*conds[label])
        leaf.q = Q(pk__isnull=False) if q is True else to_q(q)
    return list(out.values())


def _unknown_under(pair: tuple[Cond, Cond], parent: dict) -> Cond:
    """A node is unknown, given that its parent is: not true under ``all``, not false under ``any``."""
    t, f = pair
    if "all" in parent:
        return not_(t)
    if "any" in parent:
        return not_(f)
    return True  # under ``not``


def compile_missing(
    tree: dict, *, as_of: date, id_range: tuple[int, int] | None = None, shared: bool | None = None
) -> list[Expression]:
    """What a possible row lacks, as text: the concatenation (``||``) of the returned expressions is
    ``,<item>,<item>…``, one JSON item per missing label in the order of ``Evaluation.missing``
    (a label first where its first deciding condition is). Only meaningful for rows whose tree is
    unknown. ``id_range`` as in ``compile_tree``.

    Two forms, the same text. A small tree whose labels do not interleave (every condition of a
    label before every condition of the next: the order of the list is then fixed) and that needs
    at most three copies of a condition on average (the conditions of an ``all``; an ``all`` with
    an ``any`` in it): one ``CASE`` per label over ``compile_unknown_leaves``, evaluated with the
    sets of the main condition. Any other tree (``shared=True`` forces it): ``MissingText``, each
    condition evaluated once per row into a column and the three-valued logic written on the
    columns, so the SQL grows with the tree, never with its square.
    """
    tree = tree or {}
    leaves = list(iter_leaves(tree))
    if not leaves:
        return []
    if shared is None:
        size: dict[str, int] = {}
        for path, _c, _n, ancestors in leaves:
            for p in [a for a, _n2 in ancestors] + [path]:
                size[p] = size.get(p, 0) + 1
        copies = sum(size[p] for path, _c, _n, anc in leaves for p in [a for a, _n2 in anc[1:]] + [path])
        labels = [missing_label(c, as_of)["label"] for _p, c, _n, _a in leaves]
        runs = [label for i, label in enumerate(labels) if i == 0 or labels[i - 1] != label]
        shared = copies > 3 * len(leaves) or len(runs) != len(set(runs))
    if shared:
        return [MissingText(tree, as_of=as_of, ids=ids_for([tree], id_range=id_range))]
    return [
        Case(
            When(leaf.q, then=Value("," + _item_json(leaf.missing))),
            default=Value(""),
            output_field=TextField(),
        )
        for leaf in compile_unknown_leaves(tree, as_of=as_of, id_range=id_range)
    ]


def _item_json(item: dict) -> str:
    return json.dumps(item, ensure_ascii=False, default=str)


class MissingText(Expression):
    """``,<item>,<item>…`` for a row whose tree is unknown, each condition evaluated once.

    A scalar sub-query of the row, ``(WITH c AS (SELECT <conditions>), n AS (SELECT <nodes> FROM c),
    f AS (SELECT <firsts> FROM n) SELECT <items> FROM f)``:

    - ``c``: each condition as TRUE / FALSE / NULL (its T and F sets, once each);
    - ``n``: the state of every inner node below the root, SQL's AND / OR / NOT on those columns
      (which is DESIGN §4's three-valued logic);
    - ``f``: per label, the position of its first condition that decides (NULL, with every node
      above it NULL; the root is unknown for a possible row): one flat ``CASE``;
    - the items: for each condition in tree order, its label's item if it is that first one, which
      is ``Evaluation.missing``, in its order, each label once.

    ``MATERIALIZED`` keeps each level from being merged into the next (which would copy a condition
    into every reference to it); side by side in one ``WITH``, the levels do not nest (SQLite's
    parser stack, ~100, counts every level of nesting in the whole query)."""

    def __init__(self, tree: dict, *, as_of: date, ids: Ids):
        super().__init__(output_field=TextField())
        memo: dict[str, tuple[Cond, Cond]] = {}
        _compile(tree, as_of, ids, memo)
        leaves = list(iter_leaves(tree))
        column = {path: f"c{i}" for i, (path, _c, _n, _a) in enumerate(leaves)}
        self.states = []
        for path, _c, _n, _a in leaves:
            t, f = memo[path]
            if t is True or f is True:
                self.states.append(Value(t is True, output_field=BooleanField()))
            else:
                whens = [When(x, then=Value(v)) for x, v in ((t, True), (f, False)) if x is not False]
                self.states.append(Case(*whens, default=Value(None), output_field=BooleanField())
                                   if whens else Value(None, output_field=BooleanField()))  # fmt: skip
        self.nodes: list[tuple[str, str]] = []  # (column, SQL on the condition columns)
        for _path, _c, _n, ancestors in leaves:
            for p, node in ancestors[1:]:
                if p not in column:
                    column[p] = f"n{len(self.nodes)}"
                    self.nodes.append((column[p], _state_sql(node, p, column)))
        self.labels: dict[str, list] = {}  # label → [column, [(position, decides SQL)], item]
        self.order: list[tuple[str, int]] = []  # (label, position) of every condition, in tree order
        for i, (path, cond, _n, ancestors) in enumerate(leaves):
            item = missing_label(cond, as_of)
            entry = self.labels.setdefault(item["label"], [f"m{len(self.labels)}", [], item])
            decides = " AND ".join(f"n.{column[p]} IS NULL" for p in [a for a, _n2 in ancestors[1:]] + [path])
            entry[1].append((i, decides))
            self.order.append((item["label"], i))

    def __repr__(self) -> str:
        return f"MissingText({len(self.states)} conditions)"

    @property
    def identity(self):
        return (self.__class__, id(self))

    def get_source_expressions(self):
        return list(self.states)

    def set_source_expressions(self, exprs):
        self.states = list(exprs)

    def as_sql(self, compiler, connection):
        cols, params = [], []
        for i, state in enumerate(self.states):
            sql, p = compiler.compile(state)
            cols.append(f"{sql} AS c{i}")
            params += p
        passed = [f"c.c{i} AS c{i}" for i in range(len(self.states))]
        nodes = [f"{sql} AS {name}" for name, sql in self.nodes]
        firsts = [f"CASE {' '.join(f'WHEN {d} THEN {i}' for i, d in where)} END AS {name}"
                  for name, where, _item in self.labels.values()]  # fmt: skip
        items, item_params = [], []
        for label, i in self.order:
            name, _where, item = self.labels[label]
            items.append(f"CASE f.{name} WHEN {i} THEN %s ELSE '' END")
            item_params.append("," + _item_json(item))
        # groups of ``GROUP`` (a flat ``||`` chain of every condition would be too deep an expression for SQLite)
        text = " || ".join(f"({' || '.join(items[i : i + GROUP])})" for i in range(0, len(items), GROUP))
        sql = (f"(WITH c AS MATERIALIZED (SELECT {', '.join(cols)}), "
               f"n AS MATERIALIZED (SELECT {', '.join(passed + nodes)} FROM c), "
               f"f AS MATERIALIZED (SELECT {', '.join(firsts)} FROM n) SELECT {text} FROM f)")  # fmt: skip
        return sql, params + item_params


def _state_sql(node: dict, path: str, column: dict[str, str]) -> str:
    """The three-valued state of ``node`` on the condition columns of ``c`` (SQL's AND/OR/NOT)."""
    if not node:
        return "TRUE"
    if "not" in node:
        return f"(NOT {_state_sql(node['not'], f'{path}.not' if path else 'not', column)})"
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        kids = [(-_height(c), _state_sql(c, f"{path}.{key}[{i}]" if path else f"{key}[{i}]", column))
                for i, c in enumerate(node[key])]  # fmt: skip
        if not kids:
            return "TRUE"
        kids.sort(key=lambda k: k[0])  # the most nested first, as in ``_compile``
        return "(" + f" {'AND' if key == 'all' else 'OR'} ".join(sql for _h, sql in kids) + ")"
    return f"c.{column[path]}"
