"""Indicator conditions: membership in the set of enterprises whose value for one period (an
explicit one, or the latest begun by the evaluation date) passes a comparison."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.db.models import BooleanField, Expression, F, Q

from . import vocabulary as V
from .evaluate import indicator_kind
from .logic import LONG_LIST, Cond
from .periods import resolve_period
from .values import num

COMPLEMENT = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "between": "not_between",
              "not_between": "between", "in": "not_in", "not_in": "in"}  # fmt: skip


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

    def _cmp(self, numeric_param: str, json_list: bool = False) -> tuple[str, list]:
        # (``json_list``: the list as one JSON parameter, ``logic.LONG_LIST``)
        col = "l.text_value" if self.code else "l.value"
        p = "%s" if self.code else numeric_param
        op, v = self.op, self.value
        if op == "between":
            return f"{col} BETWEEN {p} AND {p}", list(v)
        if op == "not_between":
            return f"({col} < {p} OR {col} > {p})", list(v)
        if op in ("in", "not_in") and json_list:  # one parameter (see ``leaves.LONG_LIST``)
            return f"{col} {'IN' if op == 'in' else 'NOT IN'} (SELECT value FROM json_each(%s))", [
                json.dumps(v)
            ]
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
        long = self.code and isinstance(self.value, tuple) and len(self.value) > LONG_LIST
        cmp, cmp_params = self._cmp("CAST(%s AS NUMERIC)", json_list=long and connection.vendor == "sqlite")
        if self.period is None:
            sql = (f"{outer_sql} IN (SELECT l.enterprise_id FROM (SELECT enterprise_id, value, text_value, "
                   f"ROW_NUMBER() OVER (PARTITION BY enterprise_id ORDER BY {self.ORDER}) AS rn "
                   f"FROM {self.TABLE} WHERE {where}) l WHERE l.rn = 1 AND {cmp})")  # fmt: skip
        else:
            sql = f"{outer_sql} IN (SELECT l.enterprise_id FROM {self.TABLE} l WHERE {where} AND {cmp})"
        return sql, (*outer_params, *params, *cmp_params)


def indicator_pair(cond: dict, as_of: date, ids) -> tuple[Cond, Cond]:
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
