"""The large tables carry no index that another one already serves: an index whose key columns
(with their operator classes) lead another btree index's keys, without INCLUDE columns, predicate
or expression of its own, only costs writes (every indicator value, match and outbox row pays
one index entry per index). Checked on the migrated PostgreSQL schema."""

import pytest
from django.db import connection

from portal.distribution import DISTRIBUTED_TABLES

pytestmark = pytest.mark.postgres

LARGE_TABLES = sorted({*DISTRIBUTED_TABLES, "enterprises_enterprise"})

REDUNDANT = """
WITH idx AS (
  SELECT c.relname AS name, i.indisunique AS uniq, i.indnatts > i.indnkeyatts AS has_include,
         (string_to_array(i.indkey::text, ' ')::int[])[1:i.indnkeyatts] AS keys,
         (string_to_array(i.indclass::text, ' ')::oid[])[1:i.indnkeyatts] AS ops,
         i.indpred IS NOT NULL OR i.indexprs IS NOT NULL AS special
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
  WHERE a.amname = 'btree' AND i.indrelid = %s::regclass
)
SELECT a.name, b.name FROM idx a JOIN idx b ON a.name <> b.name
WHERE NOT a.uniq AND NOT a.has_include AND NOT a.special AND NOT b.special
  AND cardinality(a.keys) <= cardinality(b.keys)
  AND a.keys = b.keys[1:cardinality(a.keys)] AND a.ops = b.ops[1:cardinality(a.ops)]
ORDER BY 1, 2
"""


def redundant_indexes(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(REDUNDANT, [table])
        return cursor.fetchall()


@pytest.mark.parametrize("table", LARGE_TABLES)
def test_no_index_of_a_large_table_is_served_by_another(db, table):
    assert redundant_indexes(table) == []


def test_an_index_leading_another_is_found(db):
    # the check sees what migration 0006 removed: the covering index's narrow twin
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX test_narrow_twin ON enterprises_indicatorvalue (indicator_id, period, value)"
        )
    assert redundant_indexes("enterprises_indicatorvalue") == [
        ("test_narrow_twin", "indval_ind_period_value_ent")
    ]
