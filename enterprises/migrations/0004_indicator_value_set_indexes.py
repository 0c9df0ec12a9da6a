# Indexes for the compiled criteria (matching/criteria/compiler.py, docs/criteria.md "Performance").
# Raw SQL because Django cannot declare DESC NULLS LAST key columns together with INCLUDE;
# the model state is unchanged (these indexes are invisible to makemigrations).

from django.db import migrations

LATEST = (
    "CREATE INDEX IF NOT EXISTS indval_ind_ent_latest ON enterprises_indicatorvalue "
    "(indicator_id, enterprise_id, period_end DESC NULLS LAST, period_start DESC NULLS LAST) "
    "INCLUDE (value, text_value)"
)
PERIOD = (
    "CREATE INDEX IF NOT EXISTS indval_ind_period_value_ent ON enterprises_indicatorvalue "
    "(indicator_id, period, value) INCLUDE (enterprise_id)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (tests, demo): small tables, and no INCLUDE
    schema_editor.execute(LATEST)
    schema_editor.execute(PERIOD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS indval_ind_ent_latest")
    schema_editor.execute("DROP INDEX IF EXISTS indval_ind_period_value_ent")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0003_drop_redundant_fk_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
