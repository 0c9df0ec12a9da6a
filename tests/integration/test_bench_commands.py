"""``make bench`` on a small city: every figure issue 17 asks for is printed beside its target, and
the figures are of the right work (the pipeline matched exactly the floor's rows, the revision
ended the enterprises it should, the rebuild wrote every match again)."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from matching.models import Match
from portal.machine import machine_line
from tests.integration.conftest import worker_database_url

pytestmark = pytest.mark.services


def test_bench_matching_prints_every_figure_beside_its_target(monkeypatch):
    # given the worker processes the benchmark starts see this test's database, and chunks of 500 ids
    monkeypatch.setenv("DATABASE_URL", worker_database_url())
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "")
    monkeypatch.setenv("AXES_ENABLED", "false")
    monkeypatch.setenv("MATCH_CHUNK_SIZE", "500")
    out = io.StringIO()
    # when the benchmark builds a city of 3,000 enterprises and 5 policies and measures
    call_command(
        "bench_matching",
        enterprises=3000,
        policies=5,
        repeat=1,
        shares="0.01,0.10",
        rematch_samples=3,
        partitions=4,
        stdout=out,
    )
    text = out.getvalue()
    figures = json.loads(text.strip().splitlines()[-1])
    # then each publish found the floor's rows, and the table says which target it met
    by_share = {p["selectivity"]: p for p in figures["publish"]}
    for share in (0.01, 0.10):
        assert by_share[share]["rows"] == by_share[share]["floor_rows"] > 0
        assert by_share[share]["floor_live_rows"] == by_share[share]["rows"]  # rolled back, then
        assert by_share[share]["ratio_live"] > 0
    assert "≤1.5x" in text and "≤1.3x" in text and "live floor" in text
    # the revision ended about 5 % of the 10 % policy's matches, each told (asserted in the run)
    revision = by_share[0.10]
    assert 0 < revision["revision_changed"] < revision["rows"] * 0.2
    assert "revision of the 10% policy" in text
    # the scale-out ran with one and with two workers
    assert figures["scale_out"]["one_worker_s"] > 0 and figures["scale_out"]["two_workers_s"] > 0
    assert "speed-up" in text
    # and the rebuild wrote every active match again, counted per enterprise
    rebuild = figures["rebuild"]
    assert rebuild["match_rows"] == Match.objects.count() > 0
    assert rebuild["matches_per_enterprise"] == round(rebuild["match_rows"] / 3000, 1)
    assert "full rebuild" in text and "< 30 min" in text
    assert "re-match one enterprise" in text and "median < 20 ms" in text
    # the floor into a plain and a partitioned copy of the tables found the same rows; both dropped
    part = figures["partitioning"]
    assert part["partitions"] == 4
    assert [p["rows"] for p in part["publish"]] == [by_share[0.01]["rows"], by_share[0.10]["rows"]]
    assert all(p["plain_s"] >= 0 and p["speedup"] > 0 for p in part["publish"])
    assert "4 hash partitions" in text
    # the machine's load beside the figures, at the start and at the end of the run
    assert "machine at start: load average" in text and "machine at the end: load average" in text
    assert figures["load_start"]["cores"] == figures["load_end"]["cores"] >= 1
    # (the printed lines are the readings the JSON keeps, not second readings a moment apart)
    assert machine_line("at start", figures["load_start"]) in text
    assert machine_line("at the end", figures["load_end"]) in text
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'bench\\_part\\_%' OR relname LIKE 'bench\\_copy\\_%'"
        )
        assert cur.fetchone()[0] == 0


def test_bench_web_measures_the_three_pages_at_the_citys_density(monkeypatch, start_worker):
    # given a small city matched through a real worker, and gunicorn on this test's database
    monkeypatch.setenv("DATABASE_URL", worker_database_url())
    monkeypatch.setenv("AXES_ENABLED", "false")
    start_worker()
    out = io.StringIO()
    # when bench_web builds it and sends its load
    call_command("bench_web", build=2000, policies=20, requests=20, warmup=3, users=5, port=8799, stdout=out)
    text = out.getvalue()
    figures = json.loads(text.strip().splitlines()[-1])
    # then every page answered 200 every time, and the density is printed with the figures
    assert set(figures["pages"]) == {"my_policies", "policy_list", "policy_page"}
    for page in figures["pages"].values():
        assert page["errors"] == 0 and page["requests"] == 20
    active = Match.objects.exclude(status="ended").count()
    assert figures["matches"] == active > 0
    assert figures["matches_per_enterprise"] == round(active / 2000, 2)
    assert figures["users_matches_each"] > 0
    assert "target p95 < 100 ms" in text and "per enterprise" in text
    assert "machine at start: load average" in text and "machine at the end: load average" in text
    assert figures["load_end"]["load_1m"] >= 0
    assert machine_line("at start", figures["load_start"]) in text
    assert machine_line("at the end", figures["load_end"]) in text
