"""Load the demo city: every app contributes its part through ``<app>.demo.load``.

Each part is idempotent, so a second ``make run`` reuses what is there.
"""

import time

from django.core.management.base import BaseCommand

from api import demo as api_demo
from appeals import demo as appeals_demo
from applications import demo as applications_demo
from enterprises import demo as enterprises_demo
from liaison import demo as liaison_demo
from matching import demo as matching_demo
from policies import demo as policies_demo
from portal.accounts import demo as accounts_demo

# Order matters: the registry and the library first, then accounts bound to them, then
# what is derived from them (matches, grants, cases). Each part has ``load`` and ``DEMO_LOGINS``.
DEMO_PARTS = [
    enterprises_demo,
    policies_demo,
    accounts_demo,
    matching_demo,
    api_demo,
    applications_demo,
    appeals_demo,
    liaison_demo,
]


class Command(BaseCommand):
    help = "Load the demo city (Zhengzhou): registry, policies, accounts, matches. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises", type=int, default=5000, help="synthetic enterprises (default 5000)"
        )
        parser.add_argument("--seed", type=int, default=20261127)

    def handle(self, *args, **options):
        for module in DEMO_PARTS:
            started = time.monotonic()
            summary = module.load(enterprises=options["enterprises"], seed=options["seed"])
            self.stdout.write(
                f"  {module.__name__:<22} {summary or 'ok'}  ({time.monotonic() - started:.1f}s)"
            )
        # the demo officials of every part sign in with the demo authenticator (manage.py demo_otp)
        logins = [login[0] for module in DEMO_PARTS for login in module.DEMO_LOGINS]
        enrolled = accounts_demo.demo_devices_enrol(logins)
        self.stdout.write(
            f"  second factor          {enrolled} demo officials pre-enrolled (manage.py demo_otp)"
        )
        self.stdout.write(self.style.SUCCESS("demo city ready"))
