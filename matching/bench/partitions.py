"""Does declared partitioning help on one server? (issue 17, docs/scale-out.md)

At full match density a publish's cost is its inserts into indexes of 31 million entries. Hash
partitions by ``enterprise_id`` (the keying a Citus cluster needs too) give each partition an
index of 31 M / N entries. This measures the hand-written floor of a publish into two copies of
the live match and outbox tables, one plain and one partitioned, built the same way (rows copied,
then the same indexes), so that the only difference is the partitioning. Both copies are dropped
at the end: nothing in the portal's own tables changes.
"""

from __future__ import annotations

import re
import time

from django.db import connection

from matching.bench.run import floor_publish

TABLES = ("match", "notification")


def _indexes(table: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [table]
        )
        return cur.fetchall()


def copies_build(*, partitions: int, log=print) -> dict:
    """``bench_copy_*`` (plain) and ``bench_part_*`` (``partitions`` hash partitions) of the match
    and outbox tables, with their rows and indexes. Returns the seconds each took."""
    took: dict = {}
    with connection.cursor() as cur:
        for prefix, parts in (("bench_copy", 0), ("bench_part", partitions)):
            t = time.monotonic()
            for name in TABLES:
                live, copy = f"matching_{name}", f"{prefix}_{name}"
                cur.execute(f"DROP TABLE IF EXISTS {copy} CASCADE")
                cur.execute(f"DROP SEQUENCE IF EXISTS {copy}_id")
                by = " PARTITION BY HASH (enterprise_id)" if parts else ""
                cur.execute(f"CREATE TABLE {copy} (LIKE {live} INCLUDING DEFAULTS){by}")
                for i in range(parts):
                    cur.execute(
                        f"CREATE TABLE {copy}_p{i} PARTITION OF {copy} "
                        f"FOR VALUES WITH (MODULUS {parts}, REMAINDER {i})"
                    )
                cur.execute(f"INSERT INTO {copy} SELECT * FROM {live}")
                if name == "notification":  # the outbox's id: a sequence (PostgreSQL 15 has no
                    # identity columns on partitioned tables)
                    cur.execute(f"CREATE SEQUENCE {copy}_id")
                    cur.execute(f"SELECT setval('{copy}_id', coalesce(max(id), 0) + 1) FROM {live}")
                    cur.execute(f"ALTER TABLE {copy} ALTER COLUMN id SET DEFAULT nextval('{copy}_id')")
                for index, definition in _indexes(live):
                    definition = definition.replace(f" ON public.{live} ", f" ON {copy} ")
                    definition = re.sub(r"INDEX \S+ ON", f"INDEX {prefix}_{index} ON", definition, count=1)
                    cur.execute(definition)
                cur.execute(f"ANALYZE {copy}")
            took[prefix] = round(time.monotonic() - t, 1)
            log(f"  {prefix}: {took[prefix]} s ({parts or 'no'} partitions)")
    return took


def copies_drop() -> None:
    with connection.cursor() as cur:
        for prefix in ("bench_copy", "bench_part"):
            for name in TABLES:
                cur.execute(f"DROP TABLE IF EXISTS {prefix}_{name} CASCADE")
                cur.execute(f"DROP SEQUENCE IF EXISTS {prefix}_{name}_id")


def partitions_measure(*, partitions: int, shares=(0.01, 0.10), repeat: int = 2, log=print) -> dict:
    """The floor of a publish of each share into the plain copy and into the partitioned one
    (best of ``repeat``, a checkpoint before each; rolled back)."""
    result: dict = {
        "partitions": partitions,
        "build_s": copies_build(partitions=partitions, log=log),
        "publish": [],
    }
    try:
        for share in shares:
            plain = min(floor_publish(share=share, into="copy") for _ in range(repeat))
            parted = min(floor_publish(share=share, into="partitioned") for _ in range(repeat))
            entry = {
                "selectivity": share,
                "rows": plain[1],
                "plain_s": round(plain[0], 2),
                "partitioned_s": round(parted[0], 2),
                "speedup": round(plain[0] / parted[0], 2) if parted[0] else None,
            }
            if parted[1] != plain[1]:
                raise RuntimeError(f"the copies disagree: {plain[1]} rows plain, {parted[1]} partitioned")
            result["publish"].append(entry)
            log(f"  partitioned floor {share:.0%}: {entry}")
    finally:
        copies_drop()
    return result
