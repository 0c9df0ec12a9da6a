"""``manage.py bench_web``: latency of "我的政策" and the policy list under load.

The portal is served by gunicorn in a second process on loopback (127.0.0.1); this
process sends requests from a pool of threads and reports p50 / p95 / p99 per page.
It measures whatever city the database holds (the pipeline's ``bench_matching`` city of
1,000,000 enterprises and 2,000 policies, or ``--build N`` for a smaller one made with the
same builder) and prints a table and one line of JSON. See docs/web.md.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import DecimalField, Value
from django.utils import timezone

from enterprises.models import Enterprise
from matching.bench.city import city_build, policies_build
from matching.bench.run import full_rebuild
from matching.criteria import compile_award, compile_tree
from matching.models import Match, MatchStatus
from policies.models import Policy
from policies.search import policy_search_index_update
from portal.machine import machine_line, machine_load

BENCH_USER_PREFIX = "bench-web-"
TARGET_P95_MS = 100  # issue 17: every measured page at a full rebuild's match density
SEARCH_TERMS = ["基准", "政策", "研发", "补贴", "企业", "奖励"]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


class Command(BaseCommand):
    help = "Load-test 我的政策 and the policy list through gunicorn on loopback; prints p50/p95."

    def add_arguments(self, parser):
        parser.add_argument(
            "--requests", type=int, default=600, help="measured requests per page (default 600)"
        )
        parser.add_argument("--warmup", type=int, default=60, help="unmeasured requests per page first")
        parser.add_argument("--concurrency", type=int, default=2, help="client threads (default 2)")
        parser.add_argument(
            "--server-workers", type=int, default=2, help="gunicorn workers (default 2 = cores)"
        )
        parser.add_argument("--users", type=int, default=200, help="enterprise users to spread 我的政策 over")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--build",
            type=int,
            default=0,
            help="build a synthetic city of N enterprises first (PostgreSQL; wipes the registry)",
        )
        parser.add_argument("--policies", type=int, default=2000, help="policies for --build")
        parser.add_argument("--seconds", type=float, default=600, help="stop sending after this long")
        parser.add_argument("--json-out", default="")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            self.stderr.write("warning: not PostgreSQL — figures on SQLite say little about production")
        if opts["build"]:
            self._build(opts["build"], opts["policies"])
        load_start = machine_load()
        self.stdout.write(machine_line("at start", load_start))
        figures = self._city()
        self.stdout.write(
            f"city: {figures['enterprises']:,} enterprises, {figures['policies']:,} published policies, "
            f"{figures['matches']:,} active matches ({figures['per_enterprise']} per enterprise)"
        )
        if figures["matches"] == 0:
            raise CommandError("no matches in this database: run bench_matching (or --build N) first")
        users = self._sessions(opts["users"])
        cookies = [cookie for cookie, _policies in users]
        users_density = round(statistics.fmean(len(p) for _c, p in users), 1) if users else 0
        self.stdout.write(f"{len(users)} enterprise users, {users_density} active matches each on average")
        policy_ids = list(Policy.objects.filter(status="published").values_list("pk", flat=True))
        self._search_index()
        server, log_path = self._serve(opts["port"], opts["server_workers"])
        base = f"http://127.0.0.1:{opts['port']}"
        try:
            self._wait_ready(base, server, log_path)
            pages = {
                "my_policies": lambda rng: (f"{base}/my/policies/", rng.choice(cookies)),
                "policy_list": lambda rng: (self._list_url(base, rng), None),
                # the policy page as an enterprise user reads it: its verdict, reasons and amount
                # (one of its own matches, or any published policy one time in four)
                "policy_page": lambda rng: self._policy_url(base, rng, users, policy_ids),
            }
            results = {}
            for name, make in pages.items():
                self._load(make, n=opts["warmup"], concurrency=opts["concurrency"], deadline=opts["seconds"])
                results[name] = self._load(
                    make, n=opts["requests"], concurrency=opts["concurrency"], deadline=opts["seconds"]
                )
        finally:
            self._stop(server)
        report = {
            "database": connection.vendor,
            "enterprises": figures["enterprises"],
            "policies": figures["policies"],
            "matches": figures["matches"],
            "matches_per_enterprise": figures["per_enterprise"],
            "users": len(cookies),
            "users_matches_each": users_density,
            "target_p95_ms": TARGET_P95_MS,
            "concurrency": opts["concurrency"],
            "server_workers": opts["server_workers"],
            "cpus": os.cpu_count(),
            "pages": results,
            "load_start": load_start,
            "load_end": machine_load(),
        }
        self._table(report)
        line = json.dumps(report, ensure_ascii=False)
        if opts["json_out"]:
            Path(opts["json_out"]).write_text(line + "\n")
        self.stdout.write(line)

    # --- the city ---------------------------------------------------------------------------

    def _build(self, enterprises: int, policies: int) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("--build needs PostgreSQL (the builder is set-based SQL)")

        call_command("migrate", verbosity=0)
        if (
            Enterprise.objects.count() == enterprises
            and Policy.objects.filter(status="published").count() == policies
        ):
            self.stdout.write(f"reusing the city of {enterprises:,} enterprises and {policies:,} policies")
        else:
            self.stdout.write(f"building {enterprises:,} enterprises and {policies:,} policies")
            city_build(enterprises=enterprises, log=self.stdout.write)
            policies_build(count=policies, log=self.stdout.write)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # The page reads match rows; how they were written is the pipeline's benchmark. Without
            # workers, write them set-based from the compiled criteria (one INSERT … SELECT each).
            self.stdout.write("writing match rows set-based from the compiled criteria (no workers)")
            started = time.monotonic()
            rows = _matches_write_set_based()
            self.stdout.write(f"  {rows:,} match rows in {time.monotonic() - started:.0f} s")
        else:
            self.stdout.write("matching every policy through the Celery workers (start some: make worker)")
            seconds, rows, _policies, _all = full_rebuild(timeout=6 * 3600)
            self.stdout.write(f"  {rows:,} match rows in {seconds:.0f} s")

    def _city(self) -> dict:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'enterprises_enterprise'")
                enterprises = int(cur.fetchone()[0] or 0)
                if enterprises <= 0:
                    cur.execute("SELECT count(*) FROM enterprises_enterprise")
                    enterprises = cur.fetchone()[0]
            else:
                cur.execute("SELECT count(*) FROM enterprises_enterprise")
                enterprises = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM policies_policy WHERE status = 'published'")
            policies = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM matching_match WHERE status <> 'ended'")
            matches = cur.fetchone()[0]
        per = round(matches / enterprises, 2) if enterprises else 0
        return {"enterprises": enterprises, "policies": policies, "matches": matches, "per_enterprise": per}

    def _sessions(self, users: int) -> list[tuple[str, list[int]]]:
        """Bind ``users`` bench accounts to enterprises that have matches and open a session for
        each (no password round trip: the login page is not what is measured). Returns each
        session's cookie with its enterprise's active matched policies."""
        User = get_user_model()
        with connection.cursor() as cur:
            cur.execute(
                "SELECT enterprise_id FROM (SELECT DISTINCT enterprise_id FROM matching_match "
                "WHERE status <> 'ended' LIMIT %s) t",
                [users * 20],
            )
            ids = [row[0] for row in cur.fetchall()]
        random.Random(5).shuffle(ids)
        ids = ids[:users]
        cookies = []
        for i, enterprise_id in enumerate(ids):
            user, _created = User.objects.get_or_create(username=f"{BENCH_USER_PREFIX}{i}")
            if user.enterprise_id != enterprise_id:
                user.enterprise_id = enterprise_id
                user.set_unusable_password()
                user.save()
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            matched = list(
                Match.objects.filter(enterprise_id=enterprise_id)
                .exclude(status=MatchStatus.ENDED)
                .values_list("policy_id", flat=True)
            )
            cookies.append((f"{settings.SESSION_COOKIE_NAME}={store.session_key}", matched))
        return cookies

    def _search_index(self) -> None:
        """Synthetic policies are inserted in bulk without their search vector: build it once."""
        if connection.vendor != "postgresql":
            return

        missing = list(
            Policy.objects.filter(status="published", search_vector__isnull=True).values_list("pk", flat=True)
        )
        if missing:
            self.stdout.write(f"indexing {len(missing):,} policies for full-text search")
            for i in range(0, len(missing), 200):
                policy_search_index_update(policy_ids=missing[i : i + 200])

    # --- the server ---------------------------------------------------------------------------

    def _serve(self, port: int, workers: int) -> tuple[subprocess.Popen, str]:
        log_path = f"/tmp/bench-web-gunicorn-{os.getpid()}.log"
        env = dict(os.environ)
        env.update(
            {"DJANGO_DEBUG": "false", "DJANGO_SETTINGS_MODULE": "portal.settings", "LOG_LEVEL": "WARNING"}
        )
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        cmd = [
            gunicorn,
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "2",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ]
        log = open(log_path, "w")  # noqa: SIM115 - handed to the child, closed when it exits
        proc = subprocess.Popen(
            cmd, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.stdout.write(f"gunicorn pid {proc.pid} on 127.0.0.1:{port}, {workers} workers (log {log_path})")
        return proc, log_path

    def _wait_ready(self, base: str, proc: subprocess.Popen, log_path: str) -> None:
        for _ in range(120):
            if proc.poll() is not None:
                raise CommandError(f"gunicorn exited: see {log_path}")
            try:
                urllib.request.urlopen(f"{base}/policy/", timeout=5).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise CommandError(f"gunicorn did not answer within 60 s: see {log_path}")

    def _stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    # --- the load ---------------------------------------------------------------------------

    @staticmethod
    def _list_url(base: str, rng: random.Random) -> str:
        kind = rng.random()
        if kind < 0.4:
            return f"{base}/policy/?page={rng.randint(1, 20)}"
        if kind < 0.8:
            return f"{base}/policy/?q={quote(rng.choice(SEARCH_TERMS))}&page={rng.randint(1, 3)}"
        return f"{base}/policy/?open=on&benefit_type=subsidy&order=deadline"

    @staticmethod
    def _policy_url(base: str, rng: random.Random, users: list, policy_ids: list[int]):
        cookie, matched = rng.choice(users)
        pk = rng.choice(matched) if matched and rng.random() < 0.75 else rng.choice(policy_ids)
        return f"{base}/policy/{pk}/", cookie

    def _load(self, make, *, n: int, concurrency: int, deadline: float) -> dict:
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + deadline

        def one(i: int) -> None:
            if time.monotonic() > stop_at:
                return
            rng = random.Random(i * 7919 + threading.get_ident())
            url, cookie = make(rng)
            request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except Exception as exc:  # noqa: BLE001 - counted and reported
                status = f"{type(exc).__name__}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors.append(str(status))

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(n)))
        wall = time.monotonic() - started
        return {
            "requests": len(latencies),
            "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5],
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "rps": round(len(latencies) / wall, 1) if wall else None,
        }

    def _table(self, r: dict) -> None:
        w = self.stdout.write
        w("")
        w(
            f"web benchmark on {r['database']}: {r['enterprises']:,} enterprises, {r['policies']:,} policies, "
            f"{r['matches']:,} active matches ({r['matches_per_enterprise']} per enterprise; the measured users "
            f"{r['users_matches_each']} each); {r['concurrency']} client threads, {r['server_workers']} gunicorn "
            f"workers, {r['cpus']} CPUs"
        )
        w(
            f"{'page':<14}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>8}"
            f"  target p95 < {r['target_p95_ms']} ms"
        )
        for name, p in r["pages"].items():
            met = "met" if p["p95_ms"] < r["target_p95_ms"] else "MISSED"
            w(
                f"{name:<14}{p['requests']:>9}{p['errors']:>8}{p['p50_ms']:>9}{p['p95_ms']:>9}{p['p99_ms']:>9}"
                f"{p['rps']:>8}  {met}"
            )
        w(machine_line("at the end", r.get("load_end")))
        w("")


def _matches_write_set_based() -> int:
    """Eligible and possible rows for every published policy, one ``INSERT … SELECT`` per status,
    amounts from the compiled award (the same compiler the pipeline uses)."""
    today = timezone.localdate()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE matching_match, matching_notification")
    for policy in Policy.objects.filter(status="published").only("id", "criteria", "award", "version"):
        compiled = compile_tree(policy.criteria or {}, as_of=today)
        unknown = Value(None, output_field=DecimalField(max_digits=18, decimal_places=2))
        amount = compile_award(policy.award, as_of=today) if policy.award else unknown
        for status, qs in (
            ("eligible", Enterprise.objects.filter(compiled.eligible_q)),
            ("possible", Enterprise.objects.exclude(compiled.not_eligible_q).exclude(compiled.eligible_q)),
        ):
            select = qs.annotate(_amount=amount if status == "eligible" else unknown).values("id", "_amount")
            sql, params = select.query.sql_with_params()
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO matching_match (policy_id, enterprise_id, policy_version, status, amount, matched_at) "
                    f"SELECT %s, t.id, %s, %s, t._amount::numeric, now() FROM ({sql}) t",
                    [policy.pk, policy.version, status, *params],
                )
    with connection.cursor() as cur:
        cur.execute("ANALYZE matching_match")
        cur.execute("SELECT count(*) FROM matching_match")
        return cur.fetchone()[0]
