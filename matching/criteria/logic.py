"""Three-valued logic over Django ``Q`` objects, as the compiler writes it: a condition is a Python
constant (``True`` everyone, ``False`` no one) until it has to be SQL, so trivially decided parts
vanish; chains are grouped so that SQLite's parser takes them."""

from __future__ import annotations

import operator
from functools import reduce

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q

Cond = bool | Q  # True / False constants or a Q

NOTHING = Q(pk__in=[])
# "Always" as a Q that can stand in a ``When`` (``Q()`` cannot): every row has a primary key.
ALWAYS = Q(pk__isnull=False)
# A list of codes longer than this is one JSON parameter on SQLite (``json_each``), not one parameter
# per code in every copy of the condition: SQLite's default build takes 32,766 parameters per
# statement, and a valid tree may name hundreds of codes in each of its 500 conditions.
LONG_LIST = 16


def and_(*items: Cond) -> Cond:
    return _fold(operator.and_, False, items)


def or_(*items: Cond) -> Cond:
    return _fold(operator.or_, True, items)


def _fold(op, absorbing: bool, items) -> Cond:
    """``items`` joined by ``op``: the ``absorbing`` constant decides it, the other one drops out."""
    qs = []
    for x in items:
        if x is absorbing:
            return absorbing
        if x is not (not absorbing):
            qs.append(x)
    return _chain(op, qs) if qs else not absorbing


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
