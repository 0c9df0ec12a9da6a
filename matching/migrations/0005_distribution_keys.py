# The outbox's primary key includes the distribution column (portal/distribution.py,
# docs/scale-out.md): (id, enterprise_id) instead of (id). Raw SQL: Django keeps ``id`` as the
# model's key (the model state is unchanged; a lookup by id still leads the index).

from django.db import migrations

from portal.distribution import set_primary_key


def forwards(apps, schema_editor):
    set_primary_key(schema_editor, "matching_notification", ("id", "enterprise_id"))


def backwards(apps, schema_editor):
    set_primary_key(schema_editor, "matching_notification", ("id",))


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_verdict_occurrences"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
