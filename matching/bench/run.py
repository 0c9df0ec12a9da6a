"""The matching benchmark: publish at 1 / 10 / 30 % against the hand-written floor,
re-match one enterprise against every published policy, full rebuild, worker memory.

Publishing and the rebuild run through real ``celery -A portal worker`` processes
(the ones that would run in production) and are timed from the commit of the
publish until the run is done (every match and outbox row committed).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from enterprises.models import IndicatorDefinition
from matching.bench.city import BENCH_DEPARTMENT, selectivity_tree
from matching.models import MatchRun, RunStatus
from matching.pipeline.rematch import PUBLISHED, enterprise_rematch
from matching.services import policies_matching_schedule, policy_matching_schedule
from matching.workerproc import peak_rss_mb, worker_start, worker_stop, worker_wait_ready
from policies.models import Department, Policy


def _count(sql: str, params=None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchone()[0]


def floor_tables_reset() -> None:
    with connection.cursor() as cur:
        for name in ("match", "notification"):
            cur.execute(f"DROP TABLE IF EXISTS bench_floor_{name}")
            cur.execute(f"CREATE TABLE bench_floor_{name} (LIKE matching_{name} INCLUDING ALL)")


# where the floor writes: (match table, outbox table, policy id, rolled back)
FLOOR_TARGETS = {
    "empty": ("bench_floor_match", "bench_floor_notification", 0, False),
    "live": ("matching_match", "matching_notification", -1, True),
    # copies of the live tables (matching/bench/partitions.py): plain, and declared-partitioned
    "copy": ("bench_copy_match", "bench_copy_notification", -1, True),
    "partitioned": ("bench_part_match", "bench_part_notification", -1, True),
}


def floor_publish(*, share: float, into: str = "empty") -> tuple[float, int]:
    """The hand-written ``INSERT … SELECT`` of the same policy with its outbox rows: the better
    of two runs, with PostgreSQL's JIT on (the stock setting) and off (the portal's).

    Into empty scratch tables of the same shape (the floor the targets are set against), or
    (``live``) into the match and outbox tables themselves, rolled back: on a city whose tables
    hold a full rebuild's 31 million rows each insert lands in a large index, and that price is
    the tables', not the pipeline's. ``copy`` and ``partitioned``: into copies of the live tables,
    plain and hash-partitioned by enterprise (``partitions.copies_build``), rolled back."""
    runs = [_floor_publish_once(share=share, jit=jit, into=into) for jit in ("on", "off")]
    return min(runs)


def _floor_publish_once(*, share: float, jit: str, into: str) -> tuple[float, int]:
    if into == "empty":
        floor_tables_reset()
    match, outbox, policy, rollback = FLOOR_TARGETS[into]
    revenue = IndicatorDefinition.objects.get(code="revenue").pk
    last_year = str(timezone.localdate().year - 1)
    threshold = int(round(100_000_000 * (1 - share)))
    now = timezone.now()
    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")  # as before the pipeline's publish
    t = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL jit = {jit}")
        cur.execute(
            f"""
            WITH cand AS (
                SELECT e.id, CASE WHEN v.value > 0 THEN 'eligible' ELSE 'possible' END AS status
                FROM enterprises_enterprise e
                LEFT JOIN enterprises_indicatorvalue v
                       ON v.enterprise_id = e.id AND v.indicator_id = %s AND v.period = %s
                WHERE e.registered_capital >= %s AND (v.value > 0 OR v.value IS NULL)
            ), ins AS (
                INSERT INTO {match} (policy_id, enterprise_id, policy_version, status, matched_at)
                SELECT {policy}, id, 1, status, %s FROM cand ON CONFLICT DO NOTHING
                RETURNING enterprise_id, status
            ), outbox AS (
                INSERT INTO {outbox} (enterprise_id, policy_id, policy_version, channel, reason, occurrence, created_at)
                SELECT enterprise_id, {policy}, 1, 'inapp',
                       CASE status WHEN 'eligible' THEN 'new_match' ELSE 'possible' END, 1, %s FROM ins
            )
            SELECT count(*) FROM ins
            """,
            [revenue, last_year, threshold, now, now],
        )
        rows = cur.fetchone()[0]
        elapsed = time.monotonic() - t
        if rollback:
            transaction.set_rollback(True)
    return elapsed, rows


def _policy_create(*, title: str, criteria: dict) -> int:
    dept = Department.objects.get_or_create(code=BENCH_DEPARTMENT, defaults={"name": "基准测试部门"})[0]
    return Policy.objects.create(
        title=title,
        department=dept,
        status="published",
        criteria=criteria,
        published_at=timezone.now(),
        version=1,
    ).pk


def wait_runs(run_ids: list[int], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not MatchRun.objects.filter(pk__in=run_ids).exclude(status=RunStatus.DONE).exists():
            return
        time.sleep(0.01)
    raise TimeoutError(f"runs {run_ids[:5]}… not done after {timeout}s")


def _run_timed(*, policy_id: int, reason: str, timeout: float) -> float:
    """From the commit that schedules the run until it is done (every row committed)."""
    t = time.monotonic()
    with transaction.atomic():
        policy_matching_schedule(policy_id=policy_id, reason=reason)
    run = MatchRun.objects.filter(policy_id=policy_id).latest("pk")
    wait_runs([run.pk], timeout=timeout)
    return time.monotonic() - t


def pipeline_publish(*, share: float, timeout: float = 1800) -> tuple[float, int, int]:
    """Publish a policy reaching ``share`` of the registry; (seconds, match rows, policy id)."""
    policy_id = _policy_create(title=f"基准 {share:.0%} 政策", criteria=selectivity_tree(share))
    elapsed = _run_timed(policy_id=policy_id, reason="published", timeout=timeout)
    rows = _count("SELECT count(*) FROM matching_match WHERE policy_id = %s", [policy_id])
    outbox = _count("SELECT count(*) FROM matching_notification WHERE policy_id = %s", [policy_id])
    assert outbox == rows, f"outbox rows {outbox} != match rows {rows}"
    return elapsed, rows, policy_id


def pipeline_revise(*, policy_id: int, share: float, change: float = 0.05, timeout: float = 1800) -> dict:
    """Revise the published ``share`` policy so that ``change`` of its matches change (its
    threshold moves: that many enterprises no longer qualify, each told, the rest re-versioned),
    through the pipeline's diff path, as an official's revision runs."""
    before = _count(
        "SELECT count(*) FROM matching_match WHERE policy_id = %s AND status <> 'ended'", [policy_id]
    )
    Policy.objects.filter(pk=policy_id).update(
        criteria=selectivity_tree(share * (1 - change)), version=2, updated_at=timezone.now()
    )
    elapsed = _run_timed(policy_id=policy_id, reason="revised", timeout=timeout)
    ended = _count(
        "SELECT count(*) FROM matching_match WHERE policy_id = %s AND status = 'ended'", [policy_id]
    )
    lost = _count(
        "SELECT count(*) FROM matching_notification WHERE policy_id = %s AND reason = 'lost'", [policy_id]
    )
    assert lost == ended, f"lost notices {lost} != ended matches {ended}"
    return {"seconds": elapsed, "matches": before, "changed": ended}


def publish_measure(*, share: float, repeat: int, revise: bool) -> dict:
    """``repeat`` publishes of a ``share`` policy, each against its own floor (a fresh policy each
    time), and (``revise``) each one's revision. The figures are the best and the median: the
    machine's noise between two runs is larger than most changes (docs/matching.md)."""
    runs = []
    for _ in range(max(1, repeat)):
        floor_s, floor_rows = floor_publish(share=share)
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")
        pipe_s, rows, policy_id = pipeline_publish(share=share)
        run = {"floor_s": floor_s, "pipe_s": pipe_s, "rows": rows, "floor_rows": floor_rows}
        if revise:
            with connection.cursor() as cur:
                cur.execute("CHECKPOINT")
            rev = pipeline_revise(policy_id=policy_id, share=share)
            run.update(revision_s=rev["seconds"], revision_changed=rev["changed"])
        runs.append(run)
    pipe_s = min(r["pipe_s"] for r in runs)
    floor_s = min(r["floor_s"] for r in runs)
    live_s, live_rows = floor_publish(share=share, into="live")
    entry = {
        "selectivity": share,
        "rows": runs[0]["rows"],
        "runs": len(runs),
        "pipeline_s": round(pipe_s, 2),
        "pipeline_s_all": [round(r["pipe_s"], 2) for r in runs],
        "rows_per_s": int(runs[0]["rows"] / pipe_s) if pipe_s else None,
        "floor_s": round(floor_s, 2),
        "floor_s_all": [round(r["floor_s"], 2) for r in runs],
        "floor_rows": runs[0]["floor_rows"],
        "ratio": round(pipe_s / floor_s, 2) if floor_s else None,
        "ratio_median": round(statistics.median(r["pipe_s"] / r["floor_s"] for r in runs), 2),
        "floor_live_s": round(live_s, 2),
        "floor_live_rows": live_rows,
        "ratio_live": round(pipe_s / live_s, 2) if live_s else None,
    }
    if revise:
        ratios = [r["revision_s"] / r["pipe_s"] for r in runs]
        entry.update(
            revision_s=round(min(r["revision_s"] for r in runs), 2),
            revision_s_all=[round(r["revision_s"], 2) for r in runs],
            revision_changed=runs[0]["revision_changed"],
            revision_ratio=round(min(r["revision_s"] for r in runs) / pipe_s, 2),
            revision_ratio_median=round(statistics.median(ratios), 2),
        )
    return entry


def rematch_latency(*, samples: int, seed: int = 11) -> dict:
    """One changed enterprise against every published policy, in this process (a worker's view)."""
    rng = random.Random(seed)
    hi = _count("SELECT max(id) FROM enterprises_enterprise")
    revenue = IndicatorDefinition.objects.get(code="revenue").pk
    last_year = str(timezone.localdate().year - 1)
    published = len(PUBLISHED.current())  # warm the per-worker cache of parsed trees
    enterprise_rematch(enterprise_id=rng.randint(1, hi))
    times, changes = [], 0
    for _ in range(samples):
        eid = rng.randint(1, hi)
        enterprise_rematch(enterprise_id=eid)  # its rows as they stand: the steady state
        with connection.cursor() as cur:  # the change: last year's revenue moves
            cur.execute(
                "UPDATE enterprises_indicatorvalue SET value = value * 3 + 1000000 "
                "WHERE enterprise_id = %s AND indicator_id = %s AND period = %s",
                [eid, revenue, last_year],
            )
        t = time.perf_counter()
        r = enterprise_rematch(enterprise_id=eid)
        times.append((time.perf_counter() - t) * 1000)
        changes += r.gained + r.lost + r.updated
    times.sort()
    return {
        "policies": published,
        "samples": samples,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "changed_rows": changes,
    }


def full_rebuild(*, timeout: float, sample: int = 0) -> tuple[float, int, int, int]:
    """Rebuild every match from empty (or a random ``sample`` of the policies, to extrapolate)."""
    with connection.cursor() as cur:
        cur.execute("TRUNCATE matching_match, matching_notification, matching_matchchunk, matching_matchrun")
    all_ids = list(Policy.objects.filter(status="published").values_list("pk", flat=True))
    ids = random.Random(5).sample(all_ids, sample) if 0 < sample < len(all_ids) else all_ids
    t = time.monotonic()
    with transaction.atomic():  # as the yearly rebuild does (matching.pipeline.nightly)
        policies_matching_schedule(policy_ids=ids, reason="rebuild")
    run_ids = list(MatchRun.objects.values_list("pk", flat=True))
    wait_runs(run_ids, timeout=timeout)
    elapsed = time.monotonic() - t
    return elapsed, _count("SELECT count(*) FROM matching_match"), len(ids), len(all_ids)


def _workers_warm(*, env: dict, concurrency: int, log_path: str, hostname: str = "match-bench@%h"):
    """Real ``celery -A portal worker`` processes, ready and warmed (imports, connections, the
    published trees) as production workers are: a policy of 3 % first, not measured."""
    proc = worker_start(env=env, concurrency=concurrency, log_path=log_path, hostname=hostname)
    try:
        worker_wait_ready(proc, log_path)
        pipeline_publish(share=0.03)
    except BaseException:
        worker_stop(proc)
        raise
    return proc


def scale_out_measure(*, env: dict, log_path: str, share: float, repeat: int, log=print) -> dict:
    """The same publish with one worker process and with two: the speed-up of adding a worker
    (each worker is a process with its own database connection; on more machines, more of them)."""
    seconds = {}
    for concurrency in (1, 2):
        proc = _workers_warm(
            env=env, concurrency=concurrency, log_path=log_path, hostname=f"scale{concurrency}@%h"
        )
        try:
            runs = [pipeline_publish(share=share)[0] for _ in range(max(1, repeat))]
        finally:
            worker_stop(proc)
        seconds[concurrency] = min(runs)
        log(f"  scale-out, {concurrency} worker(s): {[round(r, 2) for r in runs]}")
    return {
        "selectivity": share,
        "one_worker_s": round(seconds[1], 2),
        "two_workers_s": round(seconds[2], 2),
        "speedup": round(seconds[1] / seconds[2], 2) if seconds[2] else None,
    }


def bench_run(
    *,
    shares=(0.01, 0.10, 0.30),
    revise_shares=(0.10,),
    repeat: int = 3,
    rematch_samples: int = 200,
    rebuild: bool = True,
    rebuild_sample: int = 0,
    scale_out: bool = True,
    workers: int = 2,
    log=print,
) -> dict:
    env = {
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "REDIS_URL": settings.REDIS_URL,
        "DB_CONN_MAX_AGE": "60",
    }  # persistent connections, as in production
    log_path = os.path.join(tempfile.gettempdir(), f"bench-worker-{os.getpid()}.log")
    results: dict = {"publish": [], "chunk_size": settings.MATCH_CHUNK_SIZE, "worker_log": log_path}
    try:
        if scale_out:
            results["scale_out"] = scale_out_measure(
                env=env, log_path=log_path, share=0.10, repeat=repeat, log=log
            )
        proc = _workers_warm(env=env, concurrency=workers, log_path=log_path)
        for share in shares:
            entry = publish_measure(share=share, repeat=repeat, revise=share in revise_shares)
            results["publish"].append(entry)
            log(f"  publish {share:.0%}: {entry}")
        if rematch_samples > 0:
            results["rematch"] = rematch_latency(samples=rematch_samples)
            log(f"  re-match: {results['rematch']}")
        if rebuild:
            secs, rows, done, total = full_rebuild(timeout=6 * 3600, sample=rebuild_sample)
            results["rebuild"] = {
                "policies": done,
                "of": total,
                "minutes": round(secs / 60, 2),
                "match_rows": rows,
                "matches_per_enterprise": round(
                    rows / max(1, _count("SELECT count(*) FROM enterprises_enterprise")), 1
                ),
                "minutes_all_policies": round(secs / 60 * total / done, 1) if done else None,
                "extrapolated": done < total,
            }
            log(f"  full rebuild: {results['rebuild']}")
        results["worker_peak_rss_mb"] = round(peak_rss_mb(proc.pid), 1)
    finally:
        if "proc" in locals():
            worker_stop(proc)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_floor_match, bench_floor_notification")
    return results
