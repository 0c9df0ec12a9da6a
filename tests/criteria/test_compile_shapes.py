"""Valid trees and awards of shapes that once broke a backend (issue 14) publish as the evaluator
says on SQLite and on PostgreSQL (the suite runs on both): min/max nested into more than SQLite's
127 arguments of one call, a min/max of numbers only (PostgreSQL's guard was empty), chains of
``not`` and one-child ``all``/``any`` (the missing data took a column each: more than SQLite's
2,000 and PostgreSQL's 1,664), constant children (``{}``, ``not {}``), and hundreds of codes in
many conditions (a parameter per code per copy: more than SQLite takes, 32,766 in its default
build, 250,000 in Debian's)."""

import pytest

from matching.criteria import validate, validate_award
from matching.criteria.validate import MAX_CONDITIONS
from tests.factories.policies import PolicyFactory

from .conftest import test_vocabulary
from .test_compile_large import _assert_publishing_equals_evaluator
from .test_property import AS_OF, _city

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stock_sqlite_limits")]


VOCAB = test_vocabulary()
REVENUE = {"field": "revenue", "op": ">=", "value": 100}
EMPLOYEES = {"field": "employees", "period": "2024", "op": "<", "value": 300}
FOREIGN = [f"42{i:02d}{j:02d}" for i in range(1, 10) for j in range(1, 12)]  # 99 codes outside Henan


def wrapped(leaf: dict, levels: int, kind: str) -> dict:
    """``leaf`` under ``levels`` nots, one-child all/any, or all(…, {})."""
    node = leaf
    for i in range(levels):
        if kind == "not":
            node = {"not": node}
        elif kind == "single":
            node = {("any" if i % 2 else "all"): [node]}
        else:
            node = {"all": [node, {}]}
    return node


def nested_min(levels: int, width: int) -> str:
    text = "revenue"
    for i in range(levels):
        text = f"{'min' if i % 2 else 'max'}({','.join([str(k % 9 + 1) for k in range(width)] + [text])})"
    return text


SHAPES = {
    # 19 numbers and the next call at each of 9 levels: 172 arguments once flattened
    "min/max of 172 arguments": ({"all": [REVENUE]}, {"amount": nested_min(9, 19).replace("max(", "min(")}),
    "min/max of numbers only": ({"any": [REVENUE, EMPLOYEES]}, {"amount": "min(30万, 50万)", "cap": "max(1, 2)"}),
    "500 chains of 11 nots": ({"all": [wrapped(REVENUE, 11, "not")] * MAX_CONDITIONS}, None),
    "500 chains of 11 one-child nodes": ({"any": [wrapped(EMPLOYEES, 11, "single")] * MAX_CONDITIONS}, None),
    "500 chains of all(x, {})": ({"any": [wrapped(REVENUE, 11, "const")] * MAX_CONDITIONS}, None),
    "a constant false branch": ({"any": [{"all": [REVENUE, {"not": {}}]}, EMPLOYEES]}, None),
    "100 conditions of 99 codes": (
        {"any": [{"field": "district", "op": "within", "value": ["4101", *FOREIGN]},
                 {"field": "district", "op": "not_within", "value": ["410105", *FOREIGN]}] * 50}, None),
    "500 conditions of 300 values": (
        {"all": [{"field": "credit_rating", "op": "not_in", "value": [f"X{i}" for i in range(300)]},
                 {"field": "credit_rating", "period": "2024", "op": "in", "value": ["A", *(f"X{i}" for i in range(300))]},
                 {"field": "industry", "op": "not_within", "value": [f"C{i}" for i in range(13, 43) if i != 34]}]
         * 166}, {"cases": [{"when": {"field": "credit_rating", "op": "in", "value": ["B", *(f"Y{i}" for i in range(40))]},
                             "amount": "min(revenue, 1万)"}, {"when": {}, "amount": "1"}]}),
    "500 conditions on every tag at once": (
        {"any": [{"field": "tags", "op": "has_all", "value": sorted(VOCAB.tags)},
                 {"field": "tags", "op": "has_none", "value": sorted(VOCAB.tags)[:3]}] * 250}, None),
}  # fmt: skip


@pytest.mark.parametrize("shape", list(SHAPES))
def test_shapes_that_once_failed_publish_as_the_evaluator_says(shape):
    # given the random registry of the property tests (missing data included)
    loaded = _city(n=16, seed=140)
    criteria, award = SHAPES[shape]
    tree = validate(criteria, vocabulary=VOCAB)
    award = validate_award(award, vocabulary=VOCAB) if award else None
    policy = PolicyFactory(status="published", criteria=tree, award=award)
    # when the chunk's candidate query runs
    # then status, missing data and amount equal the evaluator for every enterprise
    seen = _assert_publishing_equals_evaluator(policy, loaded, AS_OF[5])
    assert seen["eligible"] + seen["possible"] > 0, seen
