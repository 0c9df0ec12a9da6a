"""``manage.py generate_enterprises --count N --out FILE.csv``: a synthetic registry file.

The file is in the import format (docs/registry.md), so
``manage.py import_enterprises FILE.csv`` loads it. Written streaming.
"""

import csv
import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from enterprises.synthetic import DEMO_ENTERPRISE, HEADERS, enterprise_rows


class Command(BaseCommand):
    help = "生成合成的市场主体 CSV 文件（有效信用代码，三年指标）"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=5000)
        parser.add_argument("--out", required=True)
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument(
            "--with-demo", action="store_true", help="include 郑州智算科技有限公司 as the first row"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        count = options["count"]
        with open(options["out"], "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            if options["with_demo"]:
                writer.writerow([DEMO_ENTERPRISE.get(h, "") for h in HEADERS])
            rows = enterprise_rows(count, options["seed"])
            if not options["no_progress"]:
                rows = tqdm(rows, total=count, unit="行", file=sys.stderr, desc="生成")
            for row in rows:
                writer.writerow([row[h] for h in HEADERS])
        self.stdout.write(f"{count} enterprises written to {options['out']}")
