"""PostgreSQL triggers that keep the application and grant logs append-only: an UPDATE or
DELETE of a log row is refused by the database itself, not only by the model's save()."""

from django.db import migrations

TABLES = ["applications_applicationevent", "applications_grantevent"]

FUNCTION = """
CREATE OR REPLACE FUNCTION applications_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'log % is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION applications_log_append_only()"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        cursor.execute("DROP FUNCTION IF EXISTS applications_log_append_only()")


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]

    operations = [migrations.RunPython(install, drop)]
