"""Reset a user's second factor (lost phone and no recovery code left)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.second_factor import devices_reset


class Command(BaseCommand):
    help = "Remove USERNAME's authenticator and recovery codes; an official enrols again at the next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        removed = devices_reset(user)
        self.stdout.write(f"{username}: {removed} device(s) and recovery code(s) removed")
