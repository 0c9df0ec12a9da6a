# The indicator and tag tables' primary keys include the distribution column
# (portal/distribution.py, docs/scale-out.md): (id, enterprise_id) instead of (id). Raw SQL:
# Django keeps ``id`` as the model's key (the model state is unchanged; a lookup by id still
# leads the index).

from django.db import migrations

from portal.distribution import set_primary_key

TABLES = ("enterprises_indicatorvalue", "enterprises_enterprisetag")


def forwards(apps, schema_editor):
    for table in TABLES:
        set_primary_key(schema_editor, table, ("id", "enterprise_id"))


def backwards(apps, schema_editor):
    for table in TABLES:
        set_primary_key(schema_editor, table, ("id",))


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0004_indicator_value_set_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
