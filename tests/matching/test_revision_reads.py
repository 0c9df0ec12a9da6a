"""A revision's chunk reads the policy's existing rows of its own id range only, whatever plan
PostgreSQL picks: at 10,000,000 enterprises the first diff statement hashed all 976,709 rows of a
10 % policy in each of its 100 chunks (docs/scale-out.md), because only the candidates bounded it."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from matching.models import Match
from matching.pipeline import policy_run
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.postgres

ENTERPRISES = 400
CHUNK = 100


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def test_each_diff_statement_reads_only_the_chunks_rows_of_the_policy(django_capture_on_commit_callbacks):
    # given a policy published to all 400 enterprises (its rows span four chunks' ranges)
    ids = [EnterpriseFactory(registered_capital=Decimal(1_000_000)).pk for _ in range(ENTERPRISES)]
    criteria = {"all": [{"field": "registered_capital", "op": ">=", "value": 0}]}
    policy = PolicyFactory(status="published", criteria=criteria)
    as_of = timezone.localdate()
    policy_run.chunk_match(policy=policy, id_from=min(ids), id_to=max(ids) + 1, as_of=as_of)
    assert Match.objects.filter(policy=policy).count() == ENTERPRISES
    # when its revision runs the first chunk, with hash joins forced (the plan that read them all)
    policy.version = 2
    plans = []

    def explain(execute, sql, params, many, context):
        if sql.lstrip().startswith(("INSERT", "UPDATE")) and "matching_match" in sql:
            cursor = context["cursor"]
            cursor.execute("SAVEPOINT explain_diff")
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            value = cursor.fetchone()[0]  # psycopg2 parses json; a text result is parsed here
            plans.append((json.loads(value) if isinstance(value, str) else value)[0]["Plan"])
            cursor.execute("ROLLBACK TO SAVEPOINT explain_diff")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        policy_run.chunk_match(policy=policy, id_from=min(ids), id_to=min(ids) + CHUNK, as_of=as_of)
    # then no statement of the diff read more of the policy's match rows than the chunk holds
    assert plans
    for plan in plans:
        for node in _nodes(plan):
            if node.get("Relation Name") == "matching_match":
                assert node["Actual Rows"] <= CHUNK, node
