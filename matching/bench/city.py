"""Build a synthetic city in PostgreSQL, fast: ``generate_series`` inserts, no Python loop.

Enterprises spread over Zhengzhou's districts, a dozen industries, 30 years of
founding dates and a uniform registered capital in [0, 100,000,000) (so that a
``registered_capital >=`` threshold gives the selectivity); three years of
``revenue``, ``employees`` and ``rd_expense`` with about 10 % unknown; recognised tags (高新技术企业 ~20 %, 专精特新中小企业 ~8 %) with dates; and
the derived profile tags.
"""

from __future__ import annotations

import random
import time
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseTag, IndicatorDefinition, IndicatorValue, TagDefinition
from matching.pipeline.profile_tags import derived_tags_refresh
from policies.models import Department, Policy

DISTRICTS = [
    "410102",
    "410103",
    "410104",
    "410105",
    "410106",
    "410108",
    "410122",
    "410181",
    "410182",
    "410183",
    "410184",
    "410185",
]
INDUSTRIES = [
    "C3411",
    "C3911",
    "C2710",
    "C3670",
    "I6510",
    "I6420",
    "F5121",
    "F5211",
    "H6110",
    "L7212",
    "M7320",
    "E4710",
    "G5430",
    "K7010",
    "A0111",
    "B0610",
]
BENCH_DEPARTMENT = "bench-dept"


def _sql_list(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _fill_columns(model, exprs: dict[str, str]) -> tuple[str, str, list]:
    """Column list and select list for ``model``: given SQL expressions, and the
    model's default (a parameter) for every other column, so that columns other
    engineers add later do not break the builder."""
    cols, sels, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column == "id":
            continue
        cols.append(connection.ops.quote_name(f.column))
        if f.column in exprs:
            sels.append(exprs[f.column])
        elif f.null:
            sels.append("NULL")
        else:
            default = f.get_default()
            if default is None and f.get_internal_type() in ("DateTimeField",):
                default = timezone.now()
            sels.append("%s")
            params.append(
                f.get_db_prep_value(default, connection, prepared=False) if default is not None else ""
            )
    return ", ".join(cols), ", ".join(sels), params


def _timed(label: str, log, fn, *args):
    t = time.monotonic()
    out = fn(*args)
    log(f"  {label}: {time.monotonic() - t:.1f}s")
    return out


def city_build(*, enterprises: int, lean: bool = False, log=print) -> dict:
    """``lean``: the registry and only what the publish benchmark's policies read (last year's
    revenue); no other indicators, tags or derived tags. A registry of 10,000,000 enterprises
    builds in minutes instead of an hour on two cores; re-match figures on it mean nothing."""
    assert connection.vendor == "postgresql", "the benchmark city needs PostgreSQL"
    years = [timezone.localdate().year - k for k in ((1,) if lean else (3, 2, 1))]
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE matching_match, matching_notification, matching_delivery, matching_matchchunk, "
            "matching_matchrun, matching_rematchrequest, enterprises_indicatorvalue, enterprises_enterprisetag, "
            "enterprises_enterprise RESTART IDENTITY CASCADE"
        )
    ent_cols, ent_sels, ent_params = _fill_columns(
        Enterprise,
        {
            "credit_code": "'B' || lpad(i::text, 17, '0')",
            "name": "'基准企业' || i",
            "entity_type": "'enterprise'",
            "district": f"({_sql_list(DISTRICTS)})[1 + abs(hashint4(i)) %% {len(DISTRICTS)}]",
            "zone": "CASE abs(hashint4(i + 7)) %% 20 WHEN 0 THEN '410171' WHEN 1 THEN '410172' "
            "WHEN 2 THEN '410173' ELSE '' END",
            "industry": f"({_sql_list(INDUSTRIES)})[1 + abs(hashint4(i + 13)) %% {len(INDUSTRIES)}]",
            "established_on": "date '1996-01-01' + abs(hashint4(i + 29)) %% 10950",
            "registered_capital": "(abs(hashint8(i::bigint * 7 + 3)) %% 100000000)::numeric",
            "scale": "CASE WHEN abs(hashint4(i + 31)) %% 100 < 2 THEN 'large' WHEN abs(hashint4(i + 31)) %% 100 < 10 "
            "THEN 'medium' WHEN abs(hashint4(i + 31)) %% 100 < 40 THEN 'small' "
            "WHEN abs(hashint4(i + 31)) %% 100 < 95 THEN 'micro' END",
            "created_at": "now()",
            "updated_at": "now()",
        },
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")  # no FK triggers while bulk loading
        _timed(
            f"{enterprises:,} enterprises",
            log,
            cur.execute,
            *(
                f"INSERT INTO enterprises_enterprise ({ent_cols}) SELECT {ent_sels} "
                f"FROM generate_series(1, %s) AS g(i)",
                [*ent_params, enterprises],
            ),
        )
        codes = {"revenue": (3_000_000, 300_000_000), "employees": (3, 3000), "rd_expense": (0, 9_000_000)}
        if lean:
            codes = {"revenue": codes["revenue"]}
        for code, (lo, hi) in codes.items():
            ind = IndicatorDefinition.objects.get_or_create(code=code, defaults={"name": code})[0]
            val_cols, val_sels, val_params = _fill_columns(
                IndicatorValue,
                {
                    "enterprise_id": "e.id",
                    "indicator_id": str(int(ind.pk)),
                    "period": "y::text",
                    "period_start": "make_date(y, 1, 1)",
                    "period_end": "make_date(y, 12, 31)",
                    "value": f"({lo} + abs(hashint8(e.id * 10 + y + {len(code)})) %% {hi - lo})::numeric",
                    "source": "'bench'",
                    "as_of": "make_date(y + 1, 3, 31)",
                    "updated_at": "now()",
                },
            )
            _timed(
                f"{code} × {len(years)} years",
                log,
                cur.execute,
                *(
                    f"INSERT INTO enterprises_indicatorvalue ({val_cols}) SELECT {val_sels} "
                    f"FROM enterprises_enterprise e CROSS JOIN unnest(%s::int[]) AS y "
                    f"WHERE abs(hashint8(e.id * 3 + y)) %% 10 <> 0",
                    [*val_params, years],
                ),
            )
        for name, share in () if lean else (("高新技术企业", 20), ("专精特新中小企业", 8)):
            tag = TagDefinition.objects.get_or_create(name=name)[0]
            tag_cols, tag_sels, tag_params = _fill_columns(
                EnterpriseTag,
                {
                    "enterprise_id": "e.id",
                    "tag_id": str(int(tag.pk)),
                    "recognized_on": "date %s + abs(hashint4((e.id + 101)::int)) %% 1000",
                    "expires_on": "date %s + abs(hashint4((e.id + 101)::int)) %% 1000 + 1095",
                    "first_time": "abs(hashint4((e.id + 103)::int)) %% 2 = 0",
                    "source": "'bench'",
                },
            )
            start = date(years[0], 1, 1).isoformat()
            _timed(
                f"tag {name}",
                log,
                cur.execute,
                *(
                    f"INSERT INTO enterprises_enterprisetag ({tag_cols}) SELECT {tag_sels.replace('date %s', f'date {chr(39)}{start}{chr(39)}')} "
                    f"FROM enterprises_enterprise e WHERE abs(hashint4((e.id + {len(name)})::int)) %% 100 < {share}",
                    tag_params,
                ),
            )

    derived = 0 if lean else _timed("derived profile tags (画像)", log, lambda: derived_tags_refresh())
    with connection.cursor() as cur:
        _timed(
            "analyze",
            log,
            cur.execute,
            "ANALYZE enterprises_enterprise, enterprises_indicatorvalue, enterprises_enterprisetag",
        )
        cur.execute("SELECT count(*) FROM enterprises_indicatorvalue")
        values = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM enterprises_enterprisetag")
        tags = cur.fetchone()[0]
    return {"enterprises": enterprises, "indicator_values": values, "tags": tags, "derived_tag_rows": derived}


def policy_tree(rng: random.Random, years: list[int]) -> dict:
    """A varied, fairly selective tree of 3-6 conditions."""
    pool = [
        lambda: {"field": "district", "op": "within", "value": rng.sample(DISTRICTS, rng.randint(1, 3))},
        lambda: {
            "field": "industry",
            "op": "within",
            "value": sorted({i[0] for i in rng.sample(INDUSTRIES, 2)}),
        },
        lambda: {
            "field": "registered_capital",
            "op": ">=",
            "value": rng.randrange(1_000_000, 90_000_000, 500_000),
        },
        lambda: {
            "field": "revenue",
            "period": "last_year",
            "op": ">",
            "value": rng.randrange(5_000_000, 200_000_000, 1_000_000),
        },
        lambda: {"field": "employees", "op": ">=", "value": rng.randint(10, 1000)},
        lambda: {"field": "age_years", "op": ">=", "value": rng.randint(1, 15)},
        lambda: {"field": "tags", "op": "has", "value": rng.choice(["高新技术企业", "专精特新中小企业"])},
        lambda: {"not": {"field": "scale", "op": "in", "value": ["large"]}},
        lambda: {
            "any": [
                {"field": "tags", "op": "has", "value": "高新技术企业"},
                {
                    "field": "rd_expense",
                    "period": "last_year",
                    "op": ">=",
                    "value": rng.randint(1, 8) * 1_000_000,
                },
            ]
        },
    ]
    # where and what industry (as real programmes do), then 1-4 further conditions: ~0.1-3 %
    picks = pool[:2] + rng.sample(pool[2:], rng.randint(1, 4))
    return {"all": [p() for p in picks]}


def selectivity_tree(share: float) -> dict:
    """``share`` of the registry: eligible when last year's revenue is known, possible when not."""
    threshold = int(round(100_000_000 * (1 - share)))
    return {
        "all": [
            {"field": "registered_capital", "op": ">=", "value": threshold},
            {"field": "revenue", "period": "last_year", "op": ">", "value": 0},
        ]
    }


def policies_build(*, count: int, seed: int = 7, log=print) -> list[int]:
    rng = random.Random(seed)
    years = [timezone.localdate().year - k for k in (3, 2, 1)]
    dept = Department.objects.get_or_create(code=BENCH_DEPARTMENT, defaults={"name": "基准测试部门"})[0]
    Policy.objects.filter(department=dept).delete()
    now = timezone.now()
    rows = [
        Policy(
            title=f"基准政策 {i + 1}",
            department=dept,
            status="published",
            criteria=policy_tree(rng, years),
            award={"amount": str(rng.choice([100000, 200000, 500000]))} if i % 3 else None,
            published_at=now,
            version=1,
        )
        for i in range(count)
    ]
    created = Policy.objects.bulk_create(rows, batch_size=500)
    log(f"  {count:,} published policies")
    return [p.pk for p in created]
