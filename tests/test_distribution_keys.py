"""The per-enterprise tables stay ready to be distributed by enterprise (Citus's rules, issue 17):
the distribution column in every primary key and unique constraint, foreign keys only on it or to
reference tables, none into them from a local table. Checked on the migrated PostgreSQL schema, so
a later migration that adds a unique constraint without ``enterprise_id`` fails here."""

import pytest
from django.db import connection

from matching.models import Notification
from portal.distribution import DISTRIBUTED_TABLES, key_violations, set_primary_key

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("table", sorted(DISTRIBUTED_TABLES))
def test_table_is_keyed_for_distribution(db, table):
    assert key_violations(connection, table, DISTRIBUTED_TABLES[table]) == []


def test_the_key_starts_with_id_so_a_lookup_by_pk_uses_it(db):
    sql, params = Notification.objects.filter(pk=1).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "matching_notification_pkey" in plan, plan


def test_the_old_single_column_key_is_reported(db):
    # what migration 0005 replaced: a key on id alone (rolled back with the test's transaction)
    with connection.schema_editor(atomic=False) as editor:
        set_primary_key(editor, "enterprises_enterprisetag", ("id",))
    assert key_violations(connection, "enterprises_enterprisetag", "enterprise_id") == [
        "enterprises_enterprisetag: unique key enterprises_enterprisetag_pkey ['id'] lacks enterprise_id"
    ]


def test_unique_index_and_foreign_keys_that_break_the_rules_are_reported(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNIQUE INDEX scratch_notification_by_id ON matching_notification (id, channel)"
        )
        cursor.execute("CREATE TABLE scratch_local (id int PRIMARY KEY)")
        cursor.execute(
            "ALTER TABLE enterprises_indicatorvalue ADD COLUMN scratch_id int REFERENCES scratch_local (id)"
        )
        cursor.execute(
            "CREATE TABLE scratch_reader (notification_id bigint, enterprise_id bigint, "
            "FOREIGN KEY (notification_id, enterprise_id) REFERENCES matching_notification (id, enterprise_id))"
        )
    assert key_violations(connection, "matching_notification", "enterprise_id") == [
        "matching_notification: unique key scratch_notification_by_id ['channel', 'id'] lacks enterprise_id",
        "matching_notification: referenced by scratch_reader "
        "(scratch_reader_notification_id_enterprise_id_fkey), which is not distributed",
    ]
    (problem,) = key_violations(connection, "enterprises_indicatorvalue", "enterprise_id")
    assert problem.startswith("enterprises_indicatorvalue: foreign key ") and "to scratch_local" in problem
