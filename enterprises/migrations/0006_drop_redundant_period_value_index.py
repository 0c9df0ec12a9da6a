# indval_ind_period_value (indicator, period, value) is a strict prefix of 0004's
# indval_ind_period_value_ent (indicator, period, value) INCLUDE (enterprise_id): on PostgreSQL
# the covering index serves every query the narrow one did, and the narrow one cost a fifth of
# the index writes of every indicator value stored. SQLite has no INCLUDE, so 0004 made nothing
# there and the model's index stays in the database (only the model state forgets it).

from django.db import migrations

NARROW = "indval_ind_period_value"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NARROW}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NARROW} ON enterprises_indicatorvalue (indicator_id, period, value)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0005_distribution_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="indicatorvalue", name=NARROW)],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
