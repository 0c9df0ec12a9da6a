"""``manage.py bench_api`` — latency of the hot API calls, in process through Django's full
request stack (middleware, authentication, throttling, serialisation), on PostgreSQL.

Measures:
- ``GET /api/v1/enterprises/{code}/matches/`` for random enterprises (integrator key),
- ``GET /api/v1/policies/?q=…`` for a set of Chinese queries (anonymous),
- ``POST /api/v1/enterprises/bulk/`` with 1,000 new enterprises, and again (all unchanged),
- ``POST /api/v1/eligibility/`` (informative).

Everything runs inside one transaction that is rolled back at the end: the command may be
pointed at another part's benchmark city (``portal_bench_match``) without changing it. Where
that city's policies carry no text (synthetic), ``--policy-text`` (default on) writes
generated Chinese titles, summaries and bodies into them and indexes them first, inside the
same transaction, so that the search has realistic work to do.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import override_settings

QUERIES = [
    "高新技术企业",
    "研发费用 补贴",
    "专精特新",
    "数字化改造",
    "人才引进",
    "贷款贴息",
    "首台套 装备",
    "外贸 物流",
    "郑州市 奖励",
    "小微企业 稳岗",
    "技术改造",
    "科技型中小企业",
]

_PLACES = [
    "郑州市",
    "河南省",
    "金水区",
    "郑东新区",
    "高新区",
    "经开区",
    "航空港区",
    "中牟县",
    "新郑市",
    "二七区",
]
_TOPICS = [
    "高新技术企业",
    "专精特新中小企业",
    "研发费用",
    "数字化改造",
    "智能工厂",
    "人才引进",
    "首台套重大技术装备",
    "外贸进出口",
    "现代物流",
    "创业担保贷款",
    "小微企业稳岗",
    "技术改造",
    "科技型中小企业",
    "绿色低碳",
    "服务业",
    "文化旅游",
    "总部经济",
    "新能源汽车",
    "生物医药",
    "电子信息",
]
_KINDS = ["奖励", "补贴", "贷款贴息", "税费减免", "资金支持", "后补助", "扶持办法", "实施细则"]
_SENTENCES = [
    "对符合条件的{topic}给予一次性{kind}，最高不超过{n}万元。",
    "申报企业须在{place}依法登记注册，具有独立法人资格，近三年无严重失信行为。",
    "{place}对新认定的{topic}按照研发投入的{p}%给予{kind}。",
    "本政策由{place}有关部门负责解释，自发布之日起施行，有效期三年。",
    "企业应于申报期内通过政策找企业平台在线提交申请材料，逾期不予受理。",
    "对年度营业收入首次突破{n}亿元的企业，给予{kind}。",
    "支持企业开展{topic}，对购置设备投资额给予{p}%的{kind}。",
]


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
        return round(ordered[k] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


class Command(BaseCommand):
    help = "Benchmark the API's hot calls (p50/p95) on PostgreSQL; changes nothing (one rolled-back transaction)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=300, help="requests per read benchmark")
        parser.add_argument("--bulk-runs", type=int, default=3)
        parser.add_argument("--bulk-size", type=int, default=1000)
        parser.add_argument("--eligibility", type=int, default=20, help="eligibility requests (0 to skip)")
        parser.add_argument(
            "--no-policy-text",
            action="store_true",
            help="do not write generated text into text-less policies before the search benchmark",
        )
        parser.add_argument(
            "--build-city",
            type=int,
            default=0,
            metavar="N",
            help="first build a synthetic city of N enterprises and 2,000 policies with the pipeline's "
            "builders (TRUNCATES the registry: only on your own database) and synthetic matches",
        )
        parser.add_argument("--matches-per-enterprise", type=int, default=3)
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument("--json-out", default="")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_api needs PostgreSQL: set DATABASE_URL")
        self.rng = random.Random(opts["seed"])
        if opts["build_city"]:
            self._build_city(opts["build_city"], opts["matches_per_enterprise"])
        results: dict = {}
        with override_settings(DEBUG=False), transaction.atomic():
            results["city"] = self._city()
            self.stdout.write("city: " + json.dumps(results["city"], ensure_ascii=False))
            key = self._key()
            if not opts["no_policy_text"]:
                results["policy_text"] = self._policy_text()
            results["matches"] = self._bench_matches(key, opts["requests"])
            self._row("GET enterprises/{code}/matches/", results["matches"])
            results["search"] = self._bench_search(opts["requests"])
            self._row("GET policies/?q=…", results["search"])
            results["policy_list"] = self._bench_policy_list(max(20, opts["requests"] // 5))
            self._row("GET policies/ (no q)", results["policy_list"])
            results["bulk"] = self._bench_bulk(key, opts["bulk_runs"], opts["bulk_size"])
            self._row(f"POST enterprises/bulk/ ({opts['bulk_size']} new)", results["bulk"]["created"])
            self._row(f"POST enterprises/bulk/ ({opts['bulk_size']} unchanged)", results["bulk"]["unchanged"])
            if opts["eligibility"]:
                results["eligibility"] = self._bench_eligibility(opts["eligibility"])
                self._row("POST eligibility/", results["eligibility"])
            transaction.set_rollback(True)
        line = json.dumps(results, ensure_ascii=False)
        self.stdout.write(line)
        if opts["json_out"]:
            with open(opts["json_out"], "w", encoding="utf-8") as fh:
                fh.write(line + "\n")

    def _build_city(self, n: int, per_enterprise: int) -> None:
        from django.core.management import call_command

        from matching.bench.city import city_build, policies_build

        if connection.settings_dict["NAME"] in {"portal_bench_match", "portal", "portal_bench"}:
            raise CommandError("--build-city truncates the registry: use your own database")
        call_command("migrate", verbosity=0)
        city_build(enterprises=n, log=self.stdout.write)
        ids = policies_build(count=2000, log=self.stdout.write)
        started = time.monotonic()
        with connection.cursor() as cur:
            # Synthetic match rows (the API reads them; who matches is the pipeline's business):
            # about ``per_enterprise`` published policies per enterprise, a third of them "possible".
            cur.execute(
                """
                INSERT INTO matching_match (policy_id, enterprise_id, policy_version, status, amount, matched_at)
                SELECT DISTINCT ON (p.pid, e.id) p.pid, e.id, 1,
                       CASE WHEN abs(hashint8(e.id * 31 + k)) %% 3 = 0 THEN 'possible' ELSE 'eligible' END,
                       200000, now()
                FROM enterprises_enterprise e
                CROSS JOIN generate_series(1, %s) AS k
                CROSS JOIN LATERAL (SELECT (%s::bigint[])[1 + abs(hashint8(e.id * 7919 + k)) %% %s] AS pid) p
                ON CONFLICT DO NOTHING
                """,
                [per_enterprise * 2, ids, len(ids)],
            )
            cur.execute("ANALYZE matching_match")
        self.stdout.write(f"  synthetic matches written in {time.monotonic() - started:.1f}s")

    # --- setup -----------------------------------------------------------------------------
    def _row(self, label: str, r: dict) -> None:
        self.stdout.write(
            f"{label:<44} n={r['n']:>4}  p50={r['p50_ms']:>8.1f} ms  p95={r['p95_ms']:>8.1f} ms"
            f"  max={r['max_ms']:>8.1f} ms"
        )

    def _city(self) -> dict:
        from enterprises.models import Enterprise
        from matching.models import Match
        from policies.models import Policy

        with connection.cursor() as cur:
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [Match._meta.db_table])
            matches = cur.fetchone()[0]
        return {
            "database": connection.settings_dict["NAME"],
            "enterprises": Enterprise.objects.count(),
            "published_policies": Policy.objects.filter(status="published").count(),
            "matches_estimate": matches,
        }

    def _key(self) -> str:
        from api.models import ALL_SCOPES
        from api.services import api_key_issue

        _key, raw = api_key_issue(name="bench_api", organisation="bench_api", scopes=list(ALL_SCOPES))
        return raw

    def _policy_text(self) -> dict:
        from policies.models import Policy
        from policies.search import policy_search_index_update

        bare = list(Policy.objects.filter(status="published", body="").values_list("pk", flat=True))
        if not bare:
            return {"generated": 0}
        started = time.monotonic()
        rng = self.rng
        for pk in bare:
            topic, place, kind = rng.choice(_TOPICS), rng.choice(_PLACES), rng.choice(_KINDS)
            sentences = [
                rng.choice(_SENTENCES).format(
                    topic=rng.choice(_TOPICS),
                    place=rng.choice(_PLACES),
                    kind=rng.choice(_KINDS),
                    n=rng.randint(10, 500),
                    p=rng.randint(5, 50),
                )
                for _ in range(rng.randint(30, 60))
            ]
            Policy.objects.filter(pk=pk).update(
                title=f"{place}{topic}{kind}办法（第{pk}号）",
                summary=f"对{place}{topic}给予{kind}。" + sentences[0],
                body="".join(sentences),
            )
        policy_search_index_update(policy_ids=bare)
        return {"generated": len(bare), "seconds": round(time.monotonic() - started, 1)}

    def _client(self, key: str | None = None):
        from rest_framework.test import APIClient

        # Throttle counters live in the cache; the volumes here stay below the configured rates.
        client = APIClient()
        if key:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return client

    def _timed(self, call) -> tuple[float, object]:
        started = time.perf_counter()
        response = call()
        return time.perf_counter() - started, response

    # --- benchmarks ---------------------------------------------------------------------------------
    def _sample_codes(self, n: int) -> list[str]:
        from enterprises.models import Enterprise

        with connection.cursor() as cur:
            cur.execute(f"SELECT min(id), max(id) FROM {Enterprise._meta.db_table}")
            lo, hi = cur.fetchone()
        if lo is None:
            raise CommandError("no enterprises in this database")
        ids = [self.rng.randint(lo, hi) for _ in range(n * 2)]
        codes = list(Enterprise.objects.filter(pk__in=ids).values_list("credit_code", flat=True))
        self.rng.shuffle(codes)
        return codes[:n]

    def _bench_matches(self, key: str, n: int) -> dict:
        client = self._client(key)
        codes = self._sample_codes(n + 10)
        for code in codes[:10]:  # warm-up
            client.get(f"/api/v1/enterprises/{code}/matches/")
        samples, counts = [], []
        for code in codes[10:]:
            elapsed, response = self._timed(
                lambda code=code: client.get(f"/api/v1/enterprises/{code}/matches/")
            )
            if response.status_code != 200:
                raise CommandError(f"matches for {code}: {response.status_code} {response.content[:200]!r}")
            samples.append(elapsed)
            counts.append(response.json()["count"])
        result = _percentiles(samples)
        result["matches_per_enterprise_mean"] = round(statistics.fmean(counts), 1) if counts else 0
        result["matches_per_enterprise_max"] = max(counts) if counts else 0
        return result

    def _bench_search(self, n: int) -> dict:
        client = self._client()
        for q in QUERIES:
            client.get("/api/v1/policies/", {"q": q})
        samples, hits = [], []
        for i in range(n):
            q = QUERIES[i % len(QUERIES)]
            elapsed, response = self._timed(lambda q=q: client.get("/api/v1/policies/", {"q": q}))
            if response.status_code != 200:
                raise CommandError(f"search {q}: {response.status_code} {response.content[:200]!r}")
            samples.append(elapsed)
            hits.append(response.json()["count"])
        result = _percentiles(samples)
        result["hits_mean"] = round(statistics.fmean(hits), 1)
        return result

    def _bench_policy_list(self, n: int) -> dict:
        client = self._client()
        client.get("/api/v1/policies/")
        return _percentiles([self._timed(lambda: client.get("/api/v1/policies/"))[0] for _ in range(n)])

    def _bulk_rows(self, run: int, size: int) -> list[dict]:
        from enterprises.reference import credit_code_from_parts

        rng = self.rng
        districts = ["410102", "410103", "410104", "410105", "410106", "410108", "410122", "410181", "410182"]
        industries = ["C3411", "C3911", "I6513", "F5191", "G5431", "M7320", "C2710", "E4813"]
        rows = []
        for i in range(size):
            code = credit_code_from_parts(prefix="91", region="410100", org_body=f"Q{run:01d}{i:06d}")
            rows.append(
                {
                    "credit_code": code,
                    "name": f"郑州基准批量{run}-{i}有限公司",
                    "district": rng.choice(districts),
                    "industry": rng.choice(industries),
                    "established_on": date(
                        rng.randint(1998, 2025), rng.randint(1, 12), rng.randint(1, 28)
                    ).isoformat(),
                    "registered_capital": str(rng.randint(10, 5000) * 10000),
                    "tags": ["高新技术企业"] if rng.random() < 0.2 else [],
                    "indicators": {
                        "revenue": {"2024": str(rng.randint(100, 50000) * 10000)},
                        "employees": {"2024": str(rng.randint(3, 800))},
                    },
                }
            )
        return rows

    def _bench_bulk(self, key: str, runs: int, size: int) -> dict:
        from enterprises.models import Enterprise
        from matching.pipeline.profile_tags import derived_tags_refresh

        client = self._client(key)
        created, unchanged = [], []
        for run in range(runs):
            rows = self._bulk_rows(run, size)
            sid = transaction.savepoint()
            elapsed, response = self._timed(
                lambda rows=rows: client.post(
                    "/api/v1/enterprises/bulk/", {"source": "bench", "enterprises": rows}, format="json"
                )
            )
            if response.status_code != 200:
                raise CommandError(f"bulk: {response.status_code} {response.content[:500]!r}")
            assert response.json()["created"] == size, response.json()
            created.append(elapsed)
            # what the pipeline's re-match does next (here it never runs: nothing is committed):
            # the derived 画像 tags, which an identical repost carrying tags must leave alone
            derived_tags_refresh(enterprise_ids=list(
                Enterprise.objects.filter(credit_code__in=[r["credit_code"] for r in rows]).values_list("id", flat=True)
            ))  # fmt: skip
            elapsed, response = self._timed(
                lambda rows=rows: client.post(
                    "/api/v1/enterprises/bulk/", {"source": "bench", "enterprises": rows}, format="json"
                )
            )
            assert response.status_code == 200 and response.json()["unchanged"] == size, response.content[
                :300
            ]
            unchanged.append(elapsed)
            transaction.savepoint_rollback(sid)
        return {"created": _percentiles(created), "unchanged": _percentiles(unchanged)}

    def _bench_eligibility(self, n: int) -> dict:
        from rest_framework.throttling import ScopedRateThrottle

        client = self._client()
        profile = {
            "profile": {
                "district": "410105",
                "industry": "C3411",
                "established_on": "2018-06-01",
                "registered_capital": "5000000",
                "tags": ["高新技术企业"],
                "indicators": {"revenue": {"2025": "30000000"}, "employees": {"2025": "120"}},
            }
        }
        rates = ScopedRateThrottle.THROTTLE_RATES
        ScopedRateThrottle.THROTTLE_RATES = {
            **rates,
            "eligibility": "100000/min",
        }  # measuring, not throttling
        try:
            client.post("/api/v1/eligibility/", profile, format="json")
            return _percentiles(
                [
                    self._timed(lambda: client.post("/api/v1/eligibility/", profile, format="json"))[0]
                    for _ in range(n)
                ]
            )
        finally:
            ScopedRateThrottle.THROTTLE_RATES = rates
