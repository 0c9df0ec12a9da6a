"""``manage.py matching_reconcile``: the nightly reconciliation now (docs/matching.md).

Checks every enterprise whose profile changed since the last run against the evaluator, fixes
(and tells) every match that disagrees, and prints how many it checked and fixed.
"""

import json

from django.core.management.base import BaseCommand

from matching.pipeline.reconcile import matches_reconcile


class Command(BaseCommand):
    help = "Check the enterprises changed since the last reconciliation against the evaluator; fix what disagrees."

    def add_arguments(self, parser):
        parser.add_argument("--budget", type=float, default=2400.0, help="seconds to spend at most")
        parser.add_argument("--json", action="store_true", help="print the report as one JSON line")

    def handle(self, *args, budget, **options):
        report = matches_reconcile(budget_seconds=budget)
        if options["json"]:
            self.stdout.write(_dumps(report))
            return
        self.stdout.write(
            f"checked {report['checked']} enterprises changed since {report['since'] or 'the start'}, "
            f"fixed {report['fixed']} matches (gained {report['gained']}, lost {report['lost']}, "
            f"updated {report['updated']}); {report['left']} left for the next run; {report['seconds']} s"
        )


def _dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False)
