"""``manage.py bench_import [--count 1000000]``: generate N enterprises with three years of
indicators, import them with ``import_enterprises`` and print rows/second and peak memory.

Run it against an empty PostgreSQL database of its own (``make bench-import`` sets
DATABASE_URL); the figures are in docs/registry.md.
"""

from __future__ import annotations

import os
import resource
import tempfile
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from portal.machine import machine_line, proc_status_kb


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class BackendMemory:
    """The database backend's private memory (``RssAnon``: not the shared buffers), sampled
    every half second while the import runs; PostgreSQL on this machine only (``/proc``)."""

    def __init__(self):
        self.peak_kb = 0
        self.pid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            self.pid = pid if proc_status_kb(pid, "RssAnon") is not None else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            kb = proc_status_kb(self.pid, "RssAnon")
            if kb is None:
                return
            self.peak_kb = max(self.peak_kb, kb)
            if self._stop.wait(0.5):
                return

    def __enter__(self):
        if self.pid:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def text(self) -> str:
        if not self.pid:
            return "database backend memory: not measurable here (not a local PostgreSQL)"
        return f"database backend peak private memory {self.peak_kb / 1024:.0f} MB"


class Command(BaseCommand):
    help = "导入基准：生成 N 家合成企业（含三年指标）并用 import_enterprises 导入，报告行/秒与峰值内存"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1_000_000)
        parser.add_argument("--file", help="reuse this generated CSV instead of generating one")
        parser.add_argument("--keep-file", action="store_true")
        parser.add_argument("--rematch", action="store_true", help="schedule per-enterprise re-matching too")
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args, **options):
        count = options["count"]
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
        self.stdout.write(machine_line("at start"))
        path = options["file"]
        if not path:
            fd, path = tempfile.mkstemp(prefix="bench_enterprises_", suffix=".csv")
            os.close(fd)
            started = time.monotonic()
            call_command("generate_enterprises", count=count, out=path, no_progress=False, seed=7)
            self.stdout.write(f"generated {count} rows in {time.monotonic() - started:.1f}s "
                              f"({os.path.getsize(path) / 1e6:.0f} MB), peak RSS so far {_peak_mb():.0f} MB")  # fmt: skip
        try:
            for label in ("first import", "re-import (unchanged)"):
                started = time.monotonic()
                cpu = time.process_time()
                with BackendMemory() as backend:
                    call_command(
                        "import_enterprises",
                        path,
                        chunk_size=options["chunk_size"],
                        no_rematch=not options["rematch"],
                    )
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"{label}: {count} rows in {elapsed:.1f}s = {count / elapsed:,.0f} rows/s "
                    f"(process CPU {time.process_time() - cpu:.0f}s), peak RSS {_peak_mb():.0f} MB; "
                    f"{backend.text()}"
                )
                if count > 200_000:
                    break  # the re-import of a million rows is not what we measure
        finally:
            if not options["keep_file"] and not options["file"]:
                os.unlink(path)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM enterprises_enterprise")
            enterprises = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM enterprises_indicatorvalue")
            values = cursor.fetchone()[0]
        self.stdout.write(f"registry now: {enterprises} enterprises, {values} indicator values")
        self.stdout.write(machine_line("at the end"))
