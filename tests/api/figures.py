"""The schemathesis run's figures: operations, requests sent (by caller), failures, time. Each
test process appends its counts to a file of the run's own folder under ``FIGURES_DIR`` (so
that xdist workers add up); at the end of each process ``tests/api/conftest.py`` writes the
run's totals so far to ``SUMMARY`` (the last worker to finish writes the whole run's) and
prints them when it can."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

FIGURES_DIR = Path(os.environ.get("SCHEMATHESIS_FIGURES_DIR", "var/schemathesis-figures"))
SUMMARY = FIGURES_DIR.with_suffix(".json")
# One folder per run: xdist's workers share a run id; a run without xdist has its own process.
RUN_DIR = FIGURES_DIR / os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid{os.getpid()}")


def _append(record: dict) -> None:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    record["at"] = time.time()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(RUN_DIR / f"{worker}.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


@contextmanager
def counting(case, caller: str):
    """Count one request (and whether its checks failed)."""
    failed = True
    try:
        yield
        failed = False
    finally:
        _append({"operation": f"{case.method} {case.path}", "caller": caller, "failed": failed})


def record_operations(count: int) -> None:
    _append({"operations": count})


def totals() -> dict | None:
    """The run's figures, or None when no schemathesis test ran in it."""
    if not RUN_DIR.exists():
        return None
    requests = Counter()
    failures = Counter()
    operations_seen = set()
    operations = 0
    times = []
    for path in RUN_DIR.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            times.append(record["at"])
            if "operations" in record:
                operations = max(operations, record["operations"])
                continue
            requests[record["caller"]] += 1
            operations_seen.add(record["operation"])
            failures[record["caller"]] += record["failed"]
    if not requests:
        return None
    return {
        "operations": operations,
        "operations_called": len(operations_seen),
        "requests": sum(requests.values()),
        "requests_by_caller": dict(sorted(requests.items())),
        "failures": sum(failures.values()),
        # from the first request to the last (both workers' wall clock under xdist)
        "seconds": round(max(times) - min(times)),
    }


def write_summary() -> dict | None:
    """Write the run's totals to ``SUMMARY``; old runs' folders are removed."""
    figures = totals()
    if figures is None:
        return None
    SUMMARY.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for old in FIGURES_DIR.iterdir():
        if old != RUN_DIR and old.is_dir() and time.time() - old.stat().st_mtime > 3600:
            for path in old.glob("*"):
                path.unlink()
            old.rmdir()
    return figures
