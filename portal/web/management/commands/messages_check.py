"""Fail when an app's English catalogue lacks a translation: an untranslated or fuzzy entry,
a ``.mo`` not compiled from its ``.po``, or a text of the app's code or templates that
makemessages would add (skipped with ``--no-extract``). See docs/web.md for the workflow."""

from django.core.management.base import BaseCommand, CommandError

from portal.catalogues import catalogues, problems


class Command(BaseCommand):
    help = "Check every app's English catalogue (locale/en/LC_MESSAGES/django.po) for missing translations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-extract",
            action="store_true",
            help="check the .po and .mo files only, without running makemessages on a copy of each app",
        )

    def handle(self, *args, **options):
        found = problems(extract=not options["no_extract"])
        for problem in found:
            self.stdout.write(f"{problem.catalogue}: {problem.reason}: {problem.msgid}")
        if found:
            raise CommandError(f"{len(found)} catalogue entries need a translation (see docs/web.md)")
        self.stdout.write(self.style.SUCCESS(f"{len(catalogues())} English catalogues complete"))
