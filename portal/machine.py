"""What the benchmark commands print about the machine a figure was taken on: figures on a
shared two-core machine mean little without the load beside them."""

from __future__ import annotations

import os


def machine_load() -> dict:
    """The load averages (1, 5, 15 minutes) and the cores, for a benchmark's JSON."""
    one, five, fifteen = os.getloadavg()
    return {"load_1m": round(one, 2), "load_5m": round(five, 2), "load_15m": round(fifteen, 2),
            "cores": os.cpu_count() or 0}  # fmt: skip


def machine_line(when: str, load: dict | None = None) -> str:
    """``machine at start: load average 0.12 / 0.30 / 0.41 (1/5/15 min), 2 cores``: of ``load``
    (a ``machine_load()`` the command keeps for its JSON, so that both say the same), or read now."""
    load = load or machine_load()
    return (
        f"machine {when}: load average {load['load_1m']:.2f} / {load['load_5m']:.2f} / "
        f"{load['load_15m']:.2f} (1/5/15 min), {load['cores']} cores"
    )


def proc_status_kb(pid: int, field: str) -> int | None:
    """One ``kB`` field of ``/proc/<pid>/status`` (``VmHWM``, ``RssAnon`` …); None when the
    process is gone, not ours to read, or the field is absent (not Linux)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None
