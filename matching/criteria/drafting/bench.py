"""The drafter's measured accuracy on the hand-labelled corpus (corpus.yaml).

A condition counts right when its field, operator, value (in the language's unit: yuan, people,
per cent, years) and, for a qualification, first-time flag are all right; ``between`` counts as
its two bounds. Periods are not scored. A clause is drafted completely right when its criteria
(the same conditions in the same all/any shape), its award (the same amounts, shares, caps and
tiers, periods aside) and its basis (a ceiling or not) are all right.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from .. import vocabulary as V
from ..award import parse_amount, validate_award
from ..validate import validate
from . import draft_text

CORPUS = Path(__file__).with_name("corpus.yaml")
HELD_OUT = Path(__file__).with_name("corpus_heldout.yaml")


def demo_vocabulary() -> V.Vocabulary:
    """The demo city's vocabulary without the database: the built-ins and the demo's indicators."""
    from policies.demo_data import INDICATORS

    extra = [
        V.indicator_spec(code, name, type_, unit, periodicity)
        for code, name, type_, unit, periodicity, _ in INDICATORS
    ]
    return V.Vocabulary.builtin(extra_indicators=extra)


def load_corpus(path: Path = CORPUS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["clauses"]


def _value(v):
    if isinstance(v, list):
        return tuple(sorted(_value(x) for x in v))
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(Decimal(str(v)).normalize())
    return v


def condition_keys(node: dict) -> list[tuple]:
    """The scored conditions of a tree, flattened (``between`` as its two bounds)."""
    if "all" in node or "any" in node:
        return [k for child in node.get("all", node.get("any", [])) for k in condition_keys(child)]
    if "not" in node:
        return [("not", *k) for k in condition_keys(node["not"])]
    if not node:
        return []
    first = bool(node.get("first_time"))
    if node["op"] == "between":
        lo, hi = node["value"]
        return [(node["field"], ">=", _value(lo), first), (node["field"], "<=", _value(hi), first)]
    return [(node["field"], node["op"], _value(node["value"]), first)]


def shape(node: dict):
    """The tree's shape with conditions as keys, order aside (nested alls flattened)."""
    if "not" in node:
        return ("not", shape(node["not"]))
    if "any" in node:
        return ("any", tuple(sorted(map(repr, (shape(c) for c in node["any"])))))
    if "all" in node:
        parts: list = []
        for child in node["all"]:
            s = shape(child)
            parts += list(s[1]) if s[0] == "all" else [repr(s)]
        return ("all", tuple(sorted(parts)))
    return ("all", tuple(sorted(map(repr, condition_keys(node)))))


def _amount(expr) -> object:
    def strip(n):
        if n[0] == "num":
            return ("num", str(n[1].normalize()))
        if n[0] == "ind":
            return ("ind", n[1])
        if n[0] == "call":
            return ("call", n[1], tuple(strip(a) for a in n[2]))
        if n[0] == "bin":
            return ("bin", n[1], strip(n[2]), strip(n[3]))
        return (n[0], *(strip(a) if isinstance(a, tuple) else a for a in n[1:]))

    return strip(parse_amount(expr))


def award_key(award: dict | None):
    if not award:
        return None
    key = {"cap": _amount(award["cap"]) if award.get("cap") else None}
    if "amount" in award:
        key["amount"] = _amount(award["amount"])
    else:
        key["cases"] = tuple((shape(c["when"] or {}), _amount(c["amount"])) for c in award["cases"])
    return repr(sorted(key.items()))


@dataclass
class ClauseResult:
    id: str
    expected: list[tuple]
    drafted: list[tuple]
    right: int
    criteria_right: bool
    award_right: bool
    complete: bool


@dataclass
class BenchResult:
    clauses: list[ClauseResult] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return sum(len(c.expected) for c in self.clauses)

    @property
    def drafted(self) -> int:
        return sum(len(c.drafted) for c in self.clauses)

    @property
    def right(self) -> int:
        return sum(c.right for c in self.clauses)

    @property
    def precision(self) -> float:
        return self.right / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    @property
    def complete(self) -> float:
        return sum(c.complete for c in self.clauses) / len(self.clauses) if self.clauses else 0.0

    @property
    def awards_right(self) -> float:
        return sum(c.award_right for c in self.clauses) / len(self.clauses) if self.clauses else 0.0


def run_bench(clauses: list[dict] | None = None, *, vocabulary: V.Vocabulary | None = None) -> BenchResult:
    vocabulary = vocabulary or demo_vocabulary()
    result = BenchResult()
    for clause in clauses if clauses is not None else load_corpus():
        expected_tree = validate(
            clause["criteria"], vocabulary=vocabulary
        )  # a label the language refuses fails loudly
        expected_award = validate_award(clause.get("award"), vocabulary=vocabulary)
        draft = draft_text(clause["text"], vocabulary=vocabulary)
        want, got = condition_keys(expected_tree), condition_keys(draft.criteria)
        right = sum((Counter(want) & Counter(got)).values())
        criteria_right = shape(expected_tree) == shape(draft.criteria)
        award_right = award_key(expected_award) == award_key(draft.award) and (
            clause.get("award_basis", "") == draft.award_basis
        )
        result.clauses.append(
            ClauseResult(
                clause["id"], want, got, right, criteria_right, award_right, criteria_right and award_right
            )
        )
    return result
