"""``manage.py import_enterprises FILE [--dry-run]``: import a large CSV/xlsx file of enterprises.

Streaming in bounded memory: the file is validated in full first (every bad row is
reported with its row number and reason), and only then written in chunks inside one
transaction (set-based upserts by credit code). Exit status 1 when the file was refused.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from enterprises.importing import count_data_rows, enterprise_import_file, file_open
from portal.audittrail.context import system_scope


class Command(BaseCommand):
    help = "导入市场主体文件（CSV/xlsx）：先完整校验，全部无误才在一个事务内写入。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument("--source", default="", help="数据来源（默认：导入:<文件名>）")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--no-rematch", action="store_true",
            help="不逐企业重新匹配（首次批量装载；之后发布/重算政策时整库匹配）",
        )  # fmt: skip
        parser.add_argument("--max-errors", type=int, default=200, help="最多打印多少条错误")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            _, _, total = file_open(path)
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{path}") from None
        except Exception as exc:  # unreadable file: say so, no traceback
            raise CommandError(f"无法读取文件：{exc}") from None
        total = total if total is not None else count_data_rows(path)
        passes = 1 if options["dry_run"] else 2
        bar = None
        if not options["no_progress"]:
            bar = tqdm(total=(total or 0) * passes or None, unit="行", file=sys.stderr, dynamic_ncols=True,
                       desc="校验+写入" if passes == 2 else "校验")  # fmt: skip
        with system_scope("command:import_enterprises"):  # the audit entries say where they came from
            report = enterprise_import_file(
                path=path, source=options["source"], dry_run=options["dry_run"], chunk_size=options["chunk_size"],
                progress=bar.update if bar else None, rematch=not options["no_rematch"],
            )  # fmt: skip
        if bar:
            bar.close()
        for error in report.errors[: options["max_errors"]]:
            self.stderr.write(str(error))
        if report.error_count > options["max_errors"]:
            self.stderr.write(f"……另有 {report.error_count - options['max_errors']} 处错误未显示")
        if not report.ok:
            self.stderr.write(self.style.ERROR(report.summary()))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(report.summary()))
