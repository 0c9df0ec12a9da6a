"""What the benchmarks read about the machine: ``/proc`` status fields, the load line."""

import os
import subprocess
import sys

from portal.machine import machine_line, machine_load, proc_status_kb


def test_a_proc_status_field_is_read_in_kb_and_none_when_there_is_none():
    # a child that holds 64 MB of private memory, then waits
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; b = bytearray(64 * 1024 * 1024); sys.stdin.read()"],
        stdin=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            rss = proc_status_kb(child.pid, "RssAnon")
            if rss and rss > 60 * 1024:
                break
            subprocess.run(["sleep", "0.05"])
        assert rss > 60 * 1024
        assert proc_status_kb(child.pid, "VmHWM") >= rss
        assert proc_status_kb(child.pid, "NoSuchField") is None
    finally:
        child.communicate(b"")
    # a process that is gone
    assert proc_status_kb(child.pid, "VmHWM") is None
    assert proc_status_kb(os.getpid(), "VmHWM") > 0


def test_the_load_line_prints_the_reading_it_is_given():
    load = {"load_1m": 1.5, "load_5m": 0.25, "load_15m": 3.0, "cores": 2}
    assert machine_line("at start", load) == (
        "machine at start: load average 1.50 / 0.25 / 3.00 (1/5/15 min), 2 cores"
    )
    assert machine_line("at the end").startswith("machine at the end: load average ")
    assert machine_load()["cores"] == os.cpu_count()
