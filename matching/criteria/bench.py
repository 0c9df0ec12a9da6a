"""Timing the compiled criteria on a large registry (not used by the application).

    DATABASE_URL=postgres://…/portal_crit .venv/bin/python -m matching.criteria.bench [--explain]

Runs a few typical trees: the count of eligible and possible enterprises (one query each),
the total award, and optionally prints PostgreSQL's EXPLAIN ANALYZE.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date

TREES = {
    "design_example": {"all": [
        {"field": "district", "op": "within", "value": ["4101"]},
        {"field": "industry", "op": "within", "value": ["C", "I65"]},
        {"field": "registered_capital", "op": ">=", "value": 5000000},
        {"field": "revenue", "period": "last_year", "op": ">", "value": 20000000},
        {"field": "age_years", "op": ">=", "value": 2},
        {"any": [{"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "this_year"},
                 {"field": "tags", "op": "has", "value": "专精特新中小企业"}]},
        {"not": {"field": "scale", "op": "in", "value": ["large"]}},
    ]},
    "tag_recognized_first_time": {"field": "tags", "op": "has", "value": "高新技术企业", "recognized": "last_year",
                                  "first_time": True},
    "latest_revenue": {"all": [{"field": "revenue", "op": ">=", "value": 50000000},
                               {"field": "district", "op": "within", "value": ["410105"]}]},
    "explicit_period_selective": {"field": "revenue", "op": ">=", "value": 99000000, "period": "2024"},
    "employees_between_latest": {"field": "employees", "op": "between", "value": [100, 300]},
}  # fmt: skip
AWARD = {"amount": "min(0.1 * rd_expense@last_year, 2000000)", "cap": 1500000}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    # A script run with ``python -m``: the models can only be imported after django.setup().
    from django.db import connection
    from django.db.models import Sum

    from enterprises.models import Enterprise
    from matching.criteria import compile_award, compile_tree, validate, validate_award, vocabulary_load

    as_of = date(2025, 6, 15)
    vocab = vocabulary_load()
    explain = "--explain" in argv
    print(f"enterprises: {Enterprise.objects.count():,}  as_of {as_of}")
    for name, raw in TREES.items():
        c = compile_tree(validate(raw, vocabulary=vocab), as_of=as_of)
        for label, q in (("eligible", c.eligible_q), ("possible", c.possible_q)):
            qs = Enterprise.objects.filter(q)
            t0 = time.perf_counter()
            n = qs.count()
            dt = time.perf_counter() - t0
            print(f"{name:28s} {label:9s} {n:>9,}  {dt:6.2f} s")
            if explain and connection.vendor == "postgresql" and label == "eligible":
                sql, params = qs.values("id").query.sql_with_params()
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS OFF) SELECT count(*) FROM (" + sql + ") x", params)
                    print("\n".join("    " + r[0] for r in cur.fetchall()))
    award = validate_award(AWARD, vocabulary=vocab)
    c = compile_tree(validate(TREES["latest_revenue"], vocabulary=vocab), as_of=as_of)
    t0 = time.perf_counter()
    total = Enterprise.objects.filter(c.eligible_q).aggregate(t=Sum(compile_award(award, as_of=as_of)))["t"]
    print(f"{'total award (latest_revenue)':28s} {'':9s} {total}  {time.perf_counter() - t0:6.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
