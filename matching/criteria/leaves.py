"""Leaf compilation: one validated condition → (T, F), the enterprises for which it is true and
those for which it is false (the rest are unknown), per field kind: core columns, ages, divisions
and industries (hierarchical prefixes), tags (held, valid, recognised, first time). Indicators are
in ``indicator_sql``."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, Exists, Expression, F, OuterRef, Q

from enterprises.models import EnterpriseTag, IndicatorDefinition, TagDefinition

from . import vocabulary as V
from .evaluate import iter_leaves
from .indicator_sql import COMPLEMENT, indicator_pair
from .logic import LONG_LIST, Cond, and_, not_, or_
from .periods import year_range, years_before
from .values import division_unknown_values, industry_unknown_values, num, to_date

LOOKUP = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "in": "in"}


class JsonListMatch(Expression):
    """SQLite: the column equals (or, ``prefix``, starts with) one of ``values``, passed as one JSON
    array: ``EXISTS (SELECT 1 FROM json_each(%s) WHERE value = col)``. Never NULL (false for a NULL
    column), so ``~`` negates it exactly."""

    conditional = True

    def __init__(self, col: str, values: list, *, prefix: bool = False, column=None):
        super().__init__(output_field=BooleanField())
        self.values, self.prefix = list(values), prefix
        self.column = column if column is not None else F(col)

    def __repr__(self) -> str:
        return f"JsonListMatch({self.column!r}, {len(self.values)} values, prefix={self.prefix})"

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        col, params = compiler.compile(self.column)
        test = f"substr({col}, 1, length(value)) = value" if self.prefix else f"value = {col}"
        return f"EXISTS (SELECT 1 FROM json_each(%s) WHERE {test})", [json.dumps(self.values), *params]


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
    if len(codes) > LONG_LIST and connection.vendor == "sqlite":
        true = Q(JsonListMatch(col, codes, prefix=True))
        unknown = Q(JsonListMatch(col, sorted(unknown_values))) | Q(**{f"{col}__isnull": True})
    else:
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

    def tag_q(tag_ids: list[int]) -> Q:
        if len(tag_ids) == 1:
            return Q(tag_id=tag_ids[0])
        if len(tag_ids) > LONG_LIST and connection.vendor == "sqlite":
            return Q(JsonListMatch("tag_id", tag_ids))
        return Q(tag_id__in=tag_ids)

    def held(tag_ids: list[int], extra: Q | None = None) -> Q:
        # A tag issued by a department (高新技术企业 …) has few holders (tens of thousands at
        # most): an uncorrelated set, which PostgreSQL joins once or, under OR / NOT, hashes
        # once ("hashed SubPlan") and costs as such; a correlated EXISTS is costed as one
        # probe per enterprise, which drove the planner to 800 k primary-key probes for the
        # DESIGN §4 example. A derived tag (微型企业, 成立10年以上) may be held by most of the
        # city: too big to hash in work_mem, and an unhashed IN would rescan the set per
        # row, so it stays a correlated EXISTS (a semi-join under AND, one probe per row else).
        qs = EnterpriseTag.objects.filter(tag_q(tag_ids))
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
    tag_ids = ids.tag_list(value)  # has_all
    if len(tag_ids) > 1 and connection.vendor == "sqlite":
        # One set (holders of every one), not one per tag in every copy of the condition: SQLite's
        # parameters (see ``LONG_LIST``). PostgreSQL hashes each tag's set once.
        every = EnterpriseTag.objects.filter(valid, tag_q(tag_ids))
        if ids.id_range is not None:
            every = every.filter(enterprise_id__gte=ids.id_range[0], enterprise_id__lt=ids.id_range[1])
        every = (
            every.values("enterprise_id")
            .annotate(n=Count("tag_id", distinct=True))
            .filter(n=len(set(tag_ids)))
        )
        t = Q(pk__in=every.values("enterprise_id"))
        return t, ~t
    parts = [held([i], valid) for i in tag_ids]
    return and_(*parts), or_(*[~p for p in parts])


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
    return indicator_pair(cond, as_of, ids)
