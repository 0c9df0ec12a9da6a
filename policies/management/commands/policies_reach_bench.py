"""Time the officials' reach preview (``policies.selectors.policy_reach``) for every demo
policy against the registry in the configured database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_reach_bench \\
        .venv/bin/python manage.py policies_reach_bench --build 1000000

``--build N`` first builds a synthetic city of N enterprises in PostgreSQL (the matching
benchmark's SQL builder: it TRUNCATEs the registry of that database). The demo policies are
created as drafts (nothing is published, so no matching runs).
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from enterprises.models import Enterprise
from matching.bench.city import city_build
from policies import demo, services
from policies.demo_data import POLICIES
from policies.models import Policy
from policies.selectors import policy_reach


class Command(BaseCommand):
    help = "Time the reach preview for each demo policy (optionally after building an N-enterprise city)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--build", type=int, default=0, help="build a synthetic city of N enterprises first (PostgreSQL)"
        )
        parser.add_argument("--repeat", type=int, default=1)

    def handle(self, *args, **options):
        if options["build"]:
            self.stdout.write(f"building a city of {options['build']:,} enterprises …")
            city_build(enterprises=options["build"], log=self.stdout.write)
        departments = demo._departments()
        demo._indicators()

        today = timezone.localdate()
        ids = []
        for spec in POLICIES:
            policy = Policy.objects.filter(title=spec["title"]).first()
            if policy is None:
                data = demo._data(spec, today)
                policy = services.policy_create(
                    actor=None, data=data, interpretations=demo._interpretations(spec)
                )
            ids.append(policy.pk)
        total = Enterprise.objects.count()
        self.stdout.write(
            f"{total:,} enterprises on {connection.vendor}; {len(ids)} policies; {len(departments)} departments"
        )
        times = []
        for policy in Policy.objects.filter(pk__in=ids).order_by("pk"):
            for _ in range(options["repeat"]):
                started = time.monotonic()
                reach = policy_reach(policy=policy)
                elapsed = time.monotonic() - started
                times.append(elapsed)
            self.stdout.write(
                f"{elapsed:7.2f}s  eligible {reach['eligible']:>9,}  possible {reach['possible']:>9,}  "
                f"award {reach['total_award'] if reach['total_award'] is not None else '-':>16}  {policy.title}"
            )
        self.stdout.write(
            f"reach preview over {total:,} enterprises: median {statistics.median(times):.2f}s, "
            f"max {max(times):.2f}s, total {sum(times):.1f}s for {len(times)} previews"
        )
