"""Start and stop a real ``celery -A portal worker`` subprocess (benchmark, integration tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from portal.machine import proc_status_kb

BASE_DIR = Path(settings.BASE_DIR)


def celery_executable() -> list[str]:
    candidate = Path(sys.executable).with_name("celery")
    if candidate.exists():
        return [str(candidate)]
    return [sys.executable, "-m", "celery"]


def worker_start(
    *,
    env: dict[str, str],
    concurrency: int = 2,
    beat: bool = False,
    log_path: str | None = None,
    hostname: str = "match-bench@%h",
) -> subprocess.Popen:
    full_env = {**os.environ, **env, "CELERY_TASK_ALWAYS_EAGER": "false"}
    args = [
        *celery_executable(),
        "-A",
        "portal",
        "worker",
        "-l",
        "info",
        "--concurrency",
        str(concurrency),
        "--pool",
        "prefork",
        "-n",
        hostname,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat:
        schedule = f"/tmp/celerybeat-{os.getpid()}-{time.time_ns()}"
        args += ["-B", "-s", schedule]
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    return subprocess.Popen(
        args, cwd=BASE_DIR, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def worker_wait_ready(proc: subprocess.Popen, log_path: str, *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}; see {log_path}")
        try:
            if b"ready." in Path(log_path).read_bytes():
                return
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"worker not ready after {timeout}s; see {log_path}")


def process_tree(pid: int) -> list[int]:
    """The pid and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def peak_rss_mb(pid: int) -> float:
    """Largest peak resident set (VmHWM) of the process and its children, in MB."""
    return max((proc_status_kb(p, "VmHWM") or 0 for p in process_tree(pid)), default=0) / 1024


def worker_kill(proc: subprocess.Popen, *, sig: int = signal.SIGKILL) -> None:
    """Signal the whole worker (its process group: main process and pool children)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def worker_stop(proc: subprocess.Popen) -> None:
    worker_kill(proc, sig=signal.SIGTERM)
