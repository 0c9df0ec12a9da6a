"""GIN index over the jieba-segmented search vector, on PostgreSQL only (SQLite has no
tsvector; search falls back to icontains there)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS policies_policy_search_gin "
            "ON policies_policy USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS policies_policy_search_gin")


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_facets_search")]

    operations = [migrations.RunPython(create_index, drop_index)]
