"""What the benchmark commands print about the machine a figure was taken on: figures on a
shared two-core machine mean little without the load beside them."""

from __future__ import annotations

import os


def machine_load() -> dict:
    """The load averages (1, 5, 15 minutes) and the cores, for a benchmark's JSON."""
    one, five, fifteen = os.getloadavg()
    return {"load_1m": round(one, 2), "load_5m": round(five, 2), "load_15m": round(fifteen, 2),
            "cores": os.cpu_count() or 0}  # fmt: skip


def machine_line(when: str) -> str:
    """``machine at start: load average 0.12 / 0.30 / 0.41 (1/5/15 min), 2 cores``."""
    load = machine_load()
    return (
        f"machine {when}: load average {load['load_1m']:.2f} / {load['load_5m']:.2f} / "
        f"{load['load_15m']:.2f} (1/5/15 min), {load['cores']} cores"
    )
