"""Load the demo city: every app contributes its part through ``<app>.demo.load``.

Each part is idempotent, so a second ``make run`` reuses what is there.
"""

import importlib
import time

from django.core.management.base import BaseCommand

# Order matters: the registry and the library first, then accounts bound to them, then
# what is derived from them (matches, grants, cases).
DEMO_PARTS = [
    "enterprises.demo",
    "policies.demo",
    "portal.accounts.demo",
    "matching.demo",
    "api.demo",
    "applications.demo",
    "appeals.demo",
    "liaison.demo",
]


class Command(BaseCommand):
    help = "Load the demo city (Zhengzhou): registry, policies, accounts, matches. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=5000, help="synthetic enterprises (default 5000)")
        parser.add_argument("--seed", type=int, default=20261127)

    def handle(self, *args, **options):
        for name in DEMO_PARTS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            started = time.monotonic()
            summary = module.load(enterprises=options["enterprises"], seed=options["seed"])
            self.stdout.write(f"  {name:<22} {summary or 'ok'}  ({time.monotonic() - started:.1f}s)")
        self.stdout.write(self.style.SUCCESS("demo city ready"))
