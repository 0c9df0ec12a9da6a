"""Create the configured PostgreSQL database if it does not exist yet, and migrate it.

What ``make bench`` and its siblings run first, so that a newcomer's first benchmark on a fresh
machine starts instead of ending in ``database "portal_bench" does not exist``."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Create the DATABASE_URL's PostgreSQL database if it is missing, then migrate it."

    def add_arguments(self, parser):
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, **opts):
        if connection.vendor == "postgresql":
            self._create_missing()
        if not opts["no_migrate"]:
            call_command("migrate", verbosity=0)

    def _create_missing(self) -> None:
        import psycopg2
        from psycopg2 import sql

        params = connection.get_connection_params()
        name = params.pop("dbname", None) or params.pop("database")
        try:
            psycopg2.connect(dbname=name, **params).close()
            return
        except psycopg2.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise CommandError(f"cannot reach PostgreSQL: {exc}".strip()) from exc
        admin = psycopg2.connect(dbname="postgres", **params)
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            admin.close()
        self.stdout.write(f"created database {name}")
