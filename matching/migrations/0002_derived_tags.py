from django.db import migrations


def forwards(apps, schema_editor):
    from matching.pipeline.profile_tags import DERIVED_TAGS

    TagDefinition = apps.get_model("enterprises", "TagDefinition")
    for name, (description, _sql) in DERIVED_TAGS.items():
        TagDefinition.objects.get_or_create(
            name=name, defaults={"description": description, "issuer": "系统画像", "derived": True}
        )


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial"), ("enterprises", "0002_builtin_indicators_and_tags")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
