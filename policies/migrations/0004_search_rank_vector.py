"""``Policy.search_rank_vector``: the title/summary part (weights A and B) of the search
vector, for ranking. Filled from the existing vectors on PostgreSQL (``ts_filter`` keeps the
A and B positions); NULL on SQLite, like ``search_vector``."""

import django.contrib.postgres.search
from django.db import migrations


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE policies_policy SET search_rank_vector = ts_filter(search_vector, '{a,b}') "
            "WHERE search_vector IS NOT NULL"
        )


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_search_gin_index")]

    operations = [
        migrations.AddField(
            model_name="policy",
            name="search_rank_vector",
            field=django.contrib.postgres.search.SearchVectorField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
