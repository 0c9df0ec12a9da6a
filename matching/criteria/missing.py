"""What a possible match lacks, set-based (docs/criteria.md, "Missing data"): per condition that is
unknown and decides the result, the item ``Evaluation.missing`` names, in its order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Case, Expression, Q, TextField, Value, When

from .compiler import compile_pair, height
from .evaluate import iter_leaves, missing_label
from .leaves import Ids, ids_for
from .logic import ALWAYS, GROUP, NOTHING, Cond, and_, not_, or_, to_q


@dataclass
class UnknownLeaf:
    path: str
    missing: dict  # {"field", "label", ...} as in Evaluation.missing
    q: Q  # enterprises for which this condition is unknown and it matters (its ancestors are unknown)


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
    compile_pair(tree, as_of, ids_for([tree], id_range=id_range), memo)
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
    for label, leaf in out.items():  # (``Q()`` cannot be a ``When`` condition)
        q = or_(*conds[label])
        leaf.q = ALWAYS if q is True else to_q(q)
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
        compile_pair(tree, as_of, ids, memo)
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
        # A column per inner node that can be unknown on its own: a ``not``, an ``all``/``any`` with
        # one child that is not a constant (``{}``), has the unknown-ness of that child, and a
        # constant node (``all`` with a false child) is never unknown, so its conditions never
        # decide. So at most one column per condition (SQLite takes 2,000 columns, PostgreSQL 1,664).
        const: dict[str, bool | None] = {}
        _constants(tree, "", const)
        self.nodes: list[tuple[str, str]] = []  # (column, SQL on the condition columns)
        self.labels: dict[str, list] = {}  # label → [column, [(position, decides SQL)], item]
        self.order: list[tuple[str, int]] = []  # (label, position) of every condition, in tree order
        for i, (path, cond, _n, ancestors) in enumerate(leaves):
            item = missing_label(cond, as_of)
            entry = self.labels.setdefault(item["label"], [f"m{len(self.labels)}", [], item])
            self.order.append((item["label"], i))
            chain = ancestors[1:]
            if any(const[p] is not None for p, _node in chain):
                continue  # under a constant node: never deciding
            for p, node in chain:
                if p not in column and _own_column(node, p, const):
                    column[p] = f"n{len(self.nodes)}"
                    self.nodes.append((column[p], _state_sql(node, p, column)))
            decides = [f"n.{column[p]} IS NULL" for p, _node in chain if p in column]
            entry[1].append((i, " AND ".join([*decides, f"n.{column[path]} IS NULL"])))

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
        firsts = [f"CASE {' '.join(f'WHEN {d} THEN {i}' for i, d in where)} END AS {name}" if where
                  else f"NULL AS {name}" for name, where, _item in self.labels.values()]  # fmt: skip
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
        kids = [(-height(c), _state_sql(c, f"{path}.{key}[{i}]" if path else f"{key}[{i}]", column))
                for i, c in enumerate(node[key])]  # fmt: skip
        if not kids:
            return "TRUE"
        kids.sort(key=lambda k: k[0])  # the most nested first, as in ``_compile``
        return "(" + f" {'AND' if key == 'all' else 'OR'} ".join(sql for _h, sql in kids) + ")"
    return f"c.{column[path]}"


def _constants(node: dict, path: str, out: dict[str, bool | None]) -> bool | None:
    """``out[path]``: True / False when the node's value is the same for every row (a ``{}`` in it,
    or under it), None when it depends on conditions."""
    if "not" in node:
        c = _constants(node["not"], f"{path}.not" if path else "not", out)
        value = None if c is None else not c
    elif "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        kids = [
            _constants(c, f"{path}.{key}[{i}]" if path else f"{key}[{i}]", out)
            for i, c in enumerate(node[key])
        ]
        absorbing = key == "any"  # any(…, TRUE) is TRUE; all(…, FALSE) is FALSE
        if absorbing in kids:
            value = absorbing
        elif all(k is not None for k in kids):
            value = not absorbing
        else:
            value = None
    else:
        value = True if not node else None
    out[path] = value
    return value


def _own_column(node: dict, path: str, const: dict[str, bool | None]) -> bool:
    """An ``all``/``any`` with two children or more that depend on conditions (the rest: their child's)."""
    if "not" in node:
        return False
    key = "all" if "all" in node else "any"
    kids = [f"{path}.{key}[{i}]" if path else f"{key}[{i}]" for i in range(len(node[key]))]
    return sum(const[k] is None for k in kids) >= 2
