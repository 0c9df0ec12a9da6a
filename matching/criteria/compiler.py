"""The compiler: a criteria tree → Django Q objects over ``enterprises.Enterprise``.

Every node compiles to a pair (T, F): the enterprises for which it is true and those
for which it is false; the rest are unknown. ``all`` is (AND T, OR F), ``any`` is
(OR T, AND F), ``not`` swaps the pair, so no SQL NOT ever meets a NULL at the tree
level; each leaf's T and F are NULL-safe (set membership, or a comparison with its column
known). One query, set-based, and the same three-valued answer as ``evaluate`` for every
enterprise. Leaves: ``leaves`` (core fields, divisions, industries, tags) and ``indicator_sql``;
the missing data of a possible row: ``missing``; awards: ``award_sql``.

Constants are Python booleans until the end (``logic``), so trivially true/false parts vanish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q

from .leaves import Ids, ids_for, leaf_pair
from .logic import Cond, and_, not_, or_, to_q

__all__ = ["CompiledCriteria", "Ids", "compile_pair", "compile_tree", "height", "ids_for"]


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


def compile_pair(
    node: dict, as_of: date, ids: Ids, memo: dict | None = None, path: str = ""
) -> tuple[Cond, Cond]:
    if not node:
        out = (True, False)
    elif "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        pairs = [
            compile_pair(c, as_of, ids, memo, f"{path}.{key}[{i}]" if path else f"{key}[{i}]")
            for i, c in enumerate(node[key])
        ]
        if connection.vendor == "sqlite":
            # The most nested child first: SQLite's parser keeps only a "(" on its stack (~100 deep)
            # for a parenthesis that opens an operand, but "x AND (" for one that follows it, so
            # "((… OR b) AND a)" costs a third of "a AND (b OR (…))" per level. AND and OR are
            # commutative in three-valued logic too; PostgreSQL keeps the written order.
            order = sorted(range(len(pairs)), key=lambda i: -height(node[key][i]))
            pairs = [pairs[i] for i in order]
        ts, fs = [p[0] for p in pairs], [p[1] for p in pairs]
        out = (and_(*ts), or_(*fs)) if key == "all" else (or_(*ts), and_(*fs))
    elif "not" in node:
        t, f = compile_pair(node["not"], as_of, ids, memo, f"{path}.not" if path else "not")
        out = (f, t)
    else:
        out = leaf_pair(node, as_of, ids)
    if memo is not None:
        memo[path] = out
    return out


def height(node: dict) -> int:
    """Levels of parentheses a node's SQL nests (``not`` swaps T and F and adds none)."""
    if "not" in node:
        return height(node["not"])
    if "all" in node or "any" in node:
        return 1 + max((height(c) for c in node.get("all", node.get("any"))), default=0)
    return 0


def compile_tree(tree: dict, *, as_of: date, id_range: tuple[int, int] | None = None) -> CompiledCriteria:
    """A validated tree → ``CompiledCriteria(eligible_q, not_eligible_q)`` over Enterprise.

    ``Enterprise.objects.filter(c.eligible_q)`` is one query; possible = neither
    (``c.possible_q``). Compiling reads the ids of the indicators and tags named (≤ 2 small queries).
    With ``id_range=(lo, hi)`` the Q objects are only valid for enterprises with ``lo <= id < hi``
    (the caller filters to that range): the indicator and tag sets are cut to it.
    """
    t, f = compile_pair(tree or {}, as_of, ids_for([tree], id_range=id_range))
    return CompiledCriteria(eligible_q=to_q(t), not_eligible_q=to_q(f), true=t, false=f)
