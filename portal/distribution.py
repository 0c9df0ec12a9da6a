"""The tables that a distributed PostgreSQL (Citus) would shard by enterprise, and their keys.

Citus distributes a table by one column and can only enforce a primary key or a unique
constraint that includes it. The per-enterprise tables below are keyed so that this holds on
PostgreSQL today (docs/scale-out.md): the match table by ``(policy_id, enterprise_id)``, the
others by ``(id, enterprise_id)``. ``id`` leads so that inserts append to the key's index and a
lookup by ``id`` alone (Django's ``pk``) still uses it; Django keeps ``id`` as the model's key,
the database's key is wider. ``tests/test_distribution_keys.py`` checks the property on every
migrated database.
"""

from __future__ import annotations

DISTRIBUTION_COLUMN = "enterprise_id"

# The per-enterprise tables that issue 17 keys for distribution, and the column of each.
DISTRIBUTED_TABLES = {
    "matching_match": DISTRIBUTION_COLUMN,
    "matching_notification": DISTRIBUTION_COLUMN,
    "enterprises_indicatorvalue": DISTRIBUTION_COLUMN,
    "enterprises_enterprisetag": DISTRIBUTION_COLUMN,
}
# Reference tables (a copy on every node): the definitions the distributed tables point to, and the
# registry itself: its unique credit code and the nineteen coordinator tables that point to it
# (applications, cases, users…) need no change, and every join from a shard to it stays on the
# shard (docs/scale-out.md says why, and the other way).
REFERENCE_TABLES = (
    "enterprises_enterprise",
    "enterprises_indicatordefinition",
    "enterprises_tagdefinition",
    "policies_policy",
)


def _primary_key_name(schema_editor, table: str) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table]
        )
        return cursor.fetchone()[0]


def set_primary_key(schema_editor, table: str, columns: tuple[str, ...]) -> None:
    """Replace ``table``'s primary key by one on ``columns``, in one statement (PostgreSQL only;
    on SQLite, the embedded single-file default, there is nothing to distribute)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    name = _primary_key_name(schema_editor, table)
    schema_editor.execute(
        f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}, "
        f"ADD CONSTRAINT {quote(name)} PRIMARY KEY ({', '.join(quote(c) for c in columns)})"
    )


def key_violations(connection, table: str, column: str) -> list[str]:
    """What would stop ``table`` from being distributed by ``column`` on Citus (PostgreSQL):
    a primary key, unique constraint or unique index without the column, a foreign key from it
    to a distributed table not on the column or to a table that is neither distributed nor a
    reference table, and a foreign key into it from a table that is not distributed. Empty when
    it is ready."""
    problems: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text,
                   ARRAY(SELECT a.attname FROM pg_attribute a
                         WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey))
            FROM pg_index i WHERE i.indrelid = %s::regclass AND (i.indisunique OR i.indisprimary)
            """,
            [table],
        )
        for name, columns in cursor.fetchall():
            if column not in columns:
                problems.append(f"{table}: unique key {name} {sorted(columns)} lacks {column}")
        cursor.execute(
            """
            SELECT c.conname, c.confrelid::regclass::text,
                   ARRAY(SELECT a.attname FROM pg_attribute a
                         WHERE a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)),
                   ARRAY(SELECT a.attname FROM pg_attribute a
                         WHERE a.attrelid = c.confrelid AND a.attnum = ANY(c.confkey))
            FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = 'f'
            """,
            [table],
        )
        for name, target, columns, target_columns in cursor.fetchall():
            if target in DISTRIBUTED_TABLES:
                if column not in columns or DISTRIBUTED_TABLES[target] not in target_columns:
                    problems.append(f"{table}: foreign key {name} to {target} is not on {column}")
            elif target not in REFERENCE_TABLES:
                problems.append(f"{table}: foreign key {name} to {target}, neither distributed nor reference")
        cursor.execute(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint "
            "WHERE confrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        for name, source in cursor.fetchall():
            if source not in DISTRIBUTED_TABLES:
                problems.append(f"{table}: referenced by {source} ({name}), which is not distributed")
    return problems
