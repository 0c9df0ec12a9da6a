"""Set-based writes of cleaned records: the one write path of services and imports.

A batch is copied into temporary tables (``COPY`` on PostgreSQL, ``executemany`` on
SQLite) and merged with ``INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE <changed>``,
so that a batch costs a handful of statements whatever its size, and a row that is
already as the batch says is not touched at all (re-importing a file changes nothing,
``updated_at`` included). Call inside a transaction; the caller decides its bounds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from enterprises import reference
from enterprises.cleaning import CORE_FIELDS, CleanRecord
from enterprises.writer_audit import AuditTrail

ENT = "enterprises_enterprise"
VAL = "enterprises_indicatorvalue"
TAG = "enterprises_enterprisetag"
TAGDEF = "enterprises_tagdefinition"
SCALE_CODES = ("employees", "revenue", "total_assets")

_CORE_DEFAULTS: dict[str, Any] = {name: "" for name in CORE_FIELDS}
_CORE_DEFAULTS.update(established_on=None, registered_capital=None)

_ENT_COLS = ["credit_code", "entity_type", "needs_review", "review_reason", *CORE_FIELDS, "scale"]
_ENT_TYPES = {"needs_review": "boolean", "established_on": "date", "registered_capital": "numeric(18,2)"}
_VAL_COLS = ["credit_code", "indicator_id", "period", "period_start", "period_end", "value", "text_value",
             "source", "as_of"]  # fmt: skip
_VAL_TYPES = {"indicator_id": "bigint", "period_start": "date", "period_end": "date", "value": "numeric(20,4)",
              "as_of": "date"}  # fmt: skip
_TAG_COLS = ["credit_code", "tag_id", "recognized_on", "expires_on", "first_time", "source"]
_TAG_TYPES = {"tag_id": "bigint", "recognized_on": "date", "expires_on": "date", "first_time": "boolean"}


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0  # enterprises whose profile changed in any way (core, indicators, tags)
    changed_ids: set[int] = field(default_factory=set)
    created_ids: set[int] = field(default_factory=set)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _distinct(a: str, b: str) -> str:
    return f"{a} IS DISTINCT FROM {b}" if _pg() else f"{a} IS NOT {b}"


def _temp_table(cursor, name: str, cols: list[str], types: dict[str, str]) -> None:
    spec = ", ".join(f"{c} {types.get(c, 'text')}" for c in cols)
    if _pg():
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({spec}) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {name}")
    else:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({spec})")
        cursor.execute(f"DELETE FROM {name}")


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if kind is bool:
        return "t" if value else "f"
    return str(value)


def _load(cursor, name: str, cols: list[str], rows: list[tuple], *, analyze: bool = True) -> None:
    if not rows:
        return
    if _pg():
        buf = io.StringIO()
        for row in rows:
            buf.write("\t".join(_copy_value(v) for v in row))
            buf.write("\n")
        buf.seek(0)
        cursor.cursor.copy_expert(f"COPY {name} ({', '.join(cols)}) FROM STDIN", buf)
        if analyze:
            cursor.execute(f"ANALYZE {name}")  # temp tables have no statistics otherwise: bad join plans
    else:
        placeholders = ", ".join(["%s"] * len(cols))
        sqlite_rows = [tuple(_sqlite_value(v) for v in row) for row in rows]
        cursor.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({placeholders})", sqlite_rows)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _latest_scale_inputs(record: CleanRecord, today: date) -> dict[str, Decimal | None]:
    latest: dict[str, tuple[date, Decimal]] = {}
    for v in record.indicators:
        if v["code"] in SCALE_CODES and v["value"] is not None:
            end = v["period_end"] or date.min
            if end <= today and (v["code"] not in latest or end > latest[v["code"]][0]):
                latest[v["code"]] = (end, v["value"])
    return {code: latest[code][1] if code in latest else None for code in SCALE_CODES}


def records_write(
    records: list[CleanRecord],
    *,
    fields: set[str],
    source: str,
    existing: set[str] | None = None,
    audit: bool = True,
) -> WriteResult:
    """Merge cleaned records into the registry. ``fields`` are the core fields the batch
    carries (others are left as they are on existing enterprises). ``existing``: the credit
    codes already in the registry, if the caller knows them (saves a query).

    With ``audit`` each enterprise created or changed gets one audit entry, in this
    transaction, naming the fields changed from what to what (``writer_audit.AuditTrail``)."""
    result = WriteResult()
    if not records:
        return result
    trail = AuditTrail(source, core_defaults=_CORE_DEFAULTS) if audit else None
    today = timezone.localdate()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    codes = [r.credit_code for r in records]
    with connection.cursor() as cursor:
        if existing is None:
            existing = _existing_codes(cursor, codes)
        # Enterprises. Scale of a new enterprise comes straight from its record; existing
        # ones are re-derived below from everything stored.
        ent_rows = []
        for r in records:
            core = {**_CORE_DEFAULTS, **r.core}
            scale = None
            if r.credit_code not in existing:
                inputs = _latest_scale_inputs(r, today)
                scale = reference.classify_scale(industry=core["industry"], **inputs)
            ent_rows.append(
                (
                    r.credit_code,
                    r.entity_type,
                    r.needs_review,
                    r.review_reason,
                    *[core[c] for c in CORE_FIELDS],
                    scale,
                )  # fmt: skip
            )
        _temp_table(cursor, "tmp_reg_ent", _ENT_COLS, _ENT_TYPES)
        _load(cursor, "tmp_reg_ent", _ENT_COLS, ent_rows)
        set_cols = [c for c in CORE_FIELDS if c in fields]
        insert_cols = [*_ENT_COLS, "created_at", "updated_at"]
        assignments = ", ".join(
            [f"{c} = excluded.{c}" for c in set_cols] + ["updated_at = excluded.updated_at"]
        )
        where = " OR ".join(_distinct(f"{ENT}.{c}", f"excluded.{c}") for c in set_cols) or "false"
        # Rows already as the batch says are filtered out before the insert is even tried:
        # a speculative insert that conflicts costs far more than an index lookup.
        changed = " OR ".join(_distinct(f"x.{c}", f"t.{c}") for c in set_cols) or "false"
        # A batch of enterprises none of which exists yet needs no look-up at all.
        any_existing = any(code in existing for code in codes)
        if trail is not None and any_existing and set_cols:
            # what the rows about to change hold now (the statement below overwrites it)
            cursor.execute(
                f"SELECT t.credit_code, {', '.join('x.' + c for c in set_cols)} FROM tmp_reg_ent t "
                f"JOIN {ENT} x ON x.credit_code = t.credit_code WHERE {changed}"
            )
            trail.core_before(set_cols, cursor.fetchall())
        source_rows = (
            f"FROM tmp_reg_ent t LEFT JOIN {ENT} x ON x.credit_code = t.credit_code WHERE x.id IS NULL OR {changed} "
            if any_existing
            else "FROM tmp_reg_ent t WHERE true "
        )
        cursor.execute(
            f"INSERT INTO {ENT} ({', '.join(insert_cols)}) "
            f"SELECT {', '.join('t.' + c for c in _ENT_COLS)}, %s, %s {source_rows}"
            f"ON CONFLICT (credit_code) DO UPDATE SET {assignments} WHERE {where} "
            f"RETURNING id, credit_code",
            [now, now],
        )
        core_changed = set()
        created_id_of: dict[str, int] = {}
        for ent_id, code in cursor.fetchall():
            if code in existing:
                core_changed.add(ent_id)
            else:
                result.created_ids.add(ent_id)
                created_id_of[code] = ent_id
        # Indicator values. Those of enterprises just created cannot exist yet: they are
        # inserted straight into the table (no change-detection join against the stored values,
        # whose cost grows with the table); only those of existing enterprises are merged.
        val_rows = []
        new_val_rows = []
        for r in records:
            new_id = created_id_of.get(r.credit_code)
            for v in r.indicators:
                item = (v["indicator_id"], v["period"], v["period_start"], v["period_end"], v["value"],
                        v["text_value"], v["source"] or source[:60], v["as_of"] or today)  # fmt: skip
                if new_id is None:
                    val_rows.append((r.credit_code, *item))
                else:
                    new_val_rows.append((new_id, *item, now))
        scale_changed: set[int] = set()
        values_changed: set[int] = set()
        if new_val_rows:
            _load(cursor, VAL, ["enterprise_id", *_VAL_COLS[1:], "updated_at"], new_val_rows, analyze=False)
        if val_rows:
            _temp_table(cursor, "tmp_reg_val", _VAL_COLS, _VAL_TYPES)
            _load(cursor, "tmp_reg_val", _VAL_COLS, val_rows)
            cols = _VAL_COLS[1:]
            if trail is not None:
                cursor.execute(
                    f"SELECT e.id, t.indicator_id, t.period, v.value, v.text_value, t.value, t.text_value "
                    f"FROM tmp_reg_val t JOIN {ENT} e ON e.credit_code = t.credit_code "
                    f"LEFT JOIN {VAL} v ON v.enterprise_id = e.id AND v.indicator_id = t.indicator_id "
                    f"AND v.period = t.period WHERE v.id IS NULL OR {_distinct('v.value', 't.value')} "
                    f"OR {_distinct('v.text_value', 't.text_value')}"
                )
                trail.values_changed(cursor.fetchall())
            cursor.execute(
                f"INSERT INTO {VAL} (enterprise_id, {', '.join(cols)}, updated_at) "
                f"SELECT e.id, {', '.join('t.' + c for c in cols)}, %s "
                f"FROM tmp_reg_val t JOIN {ENT} e ON e.credit_code = t.credit_code "
                f"LEFT JOIN {VAL} v ON v.enterprise_id = e.id AND v.indicator_id = t.indicator_id "
                f"AND v.period = t.period WHERE v.id IS NULL OR {_distinct('v.value', 't.value')} "
                f"OR {_distinct('v.text_value', 't.text_value')} "
                f"ON CONFLICT (enterprise_id, indicator_id, period) DO UPDATE SET value = excluded.value, "
                f"text_value = excluded.text_value, source = excluded.source, as_of = excluded.as_of, "
                f"updated_at = excluded.updated_at "
                f"WHERE {_distinct(f'{VAL}.value', 'excluded.value')} "
                f"OR {_distinct(f'{VAL}.text_value', 'excluded.text_value')} "
                f"RETURNING enterprise_id, indicator_id",
                [now],
            )
            returned = cursor.fetchall()
            scale_ids = _scale_indicator_ids(cursor)
            for ent_id, indicator_id in returned:
                values_changed.add(ent_id)
                if indicator_id in scale_ids:
                    scale_changed.add(ent_id)
        # Tags (only for records that carry them: they replace the enterprise's recognised set).
        tagged = [r for r in records if r.tags is not None and r.credit_code not in created_id_of]
        new_tag_rows = [
            (created_id_of[r.credit_code], t["tag_id"], t["recognized_on"], t["expires_on"], t["first_time"],
             source[:60])
            for r in records if r.tags is not None and r.credit_code in created_id_of for t in r.tags
        ]  # fmt: skip
        if new_tag_rows:  # new enterprises: nothing to replace, insert directly
            _load(cursor, TAG, ["enterprise_id", *_TAG_COLS[1:]], new_tag_rows, analyze=False)
        tags_changed: set[int] = set()
        if tagged:
            _temp_table(cursor, "tmp_reg_tagged", ["credit_code"], {})
            _load(cursor, "tmp_reg_tagged", ["credit_code"], [(r.credit_code,) for r in tagged])
            if trail is not None:
                cursor.execute(
                    f"SELECT g.enterprise_id, e.credit_code, g.tag_id FROM tmp_reg_tagged t "
                    f"JOIN {ENT} e ON e.credit_code = t.credit_code JOIN {TAG} g ON g.enterprise_id = e.id "
                    f"WHERE g.tag_id NOT IN (SELECT id FROM {TAGDEF} WHERE derived)"
                )
                trail.tags_before(cursor.fetchall())
            _temp_table(cursor, "tmp_reg_tag", _TAG_COLS, _TAG_TYPES)
            _load(
                cursor, "tmp_reg_tag", _TAG_COLS,
                [(r.credit_code, t["tag_id"], t["recognized_on"], t["expires_on"], t["first_time"], source[:60])
                 for r in tagged for t in r.tags],  # type: ignore[union-attr]
            )  # fmt: skip
            # A feed's tags replace the recognised qualifications only: derived (画像) tags are the
            # portal's own (matching.pipeline.profile_tags), never a feed's to remove.
            cursor.execute(
                f"DELETE FROM {TAG} WHERE enterprise_id IN (SELECT e.id FROM tmp_reg_tagged t "
                f"JOIN {ENT} e ON e.credit_code = t.credit_code) AND NOT EXISTS (SELECT 1 FROM tmp_reg_tag x "
                f"JOIN {ENT} e2 ON e2.credit_code = x.credit_code WHERE e2.id = {TAG}.enterprise_id "
                f"AND x.tag_id = {TAG}.tag_id) AND tag_id NOT IN (SELECT id FROM {TAGDEF} WHERE derived) "
                f"RETURNING enterprise_id"
            )
            tags_changed.update(row[0] for row in cursor.fetchall())
            cols = ["tag_id", "recognized_on", "expires_on", "first_time", "source"]
            cursor.execute(
                f"INSERT INTO {TAG} (enterprise_id, {', '.join(cols)}) "
                f"SELECT e.id, {', '.join('t.' + c for c in cols)} "
                f"FROM tmp_reg_tag t JOIN {ENT} e ON e.credit_code = t.credit_code WHERE true "
                f"ON CONFLICT (enterprise_id, tag_id) DO UPDATE SET recognized_on = excluded.recognized_on, "
                f"expires_on = excluded.expires_on, first_time = excluded.first_time, source = excluded.source "
                f"WHERE {_distinct(f'{TAG}.recognized_on', 'excluded.recognized_on')} "
                f"OR {_distinct(f'{TAG}.expires_on', 'excluded.expires_on')} "
                f"OR {_distinct(f'{TAG}.first_time', 'excluded.first_time')} "
                f"RETURNING enterprise_id"
            )
            tags_changed.update(row[0] for row in cursor.fetchall())
        refresh = (core_changed | scale_changed) - result.created_ids
        if refresh:
            scales_refresh(sorted(refresh), cursor=cursor)
    changed_existing = (core_changed | values_changed | tags_changed) - result.created_ids
    result.created = len(result.created_ids)
    result.updated = len(changed_existing)
    result.changed_ids = result.created_ids | changed_existing
    if trail is not None:
        trail.write(records, fields=set_cols, created_id_of=created_id_of, core_changed=core_changed,
                    tags_changed=tags_changed, changed_ids=result.changed_ids)  # fmt: skip
    return result


@contextmanager
def constraints_immediate() -> Iterator[None]:
    """Inside: the foreign keys are checked at the end of each statement instead of at the
    commit (PostgreSQL; Django declares them DEFERRABLE INITIALLY DEFERRED). A deferred check is
    an event the server keeps in memory until the commit, two per indicator value written: 20 MB
    of the database backend's memory per 50,000 enterprises imported (measured), 400 MB for a
    1,000,000-row import and 4 GB for 10,000,000. Checked per statement, the queue never holds
    more than one statement's events. The writer inserts parents before their children, so no
    check needs to wait (tests/enterprises/test_import_memory.py). Leaving normally, the
    caller's transaction gets Django's deferred checks back (every deferrable key here is
    initially deferred); on an error the rollback of the write's savepoint or transaction
    restores them."""
    if not _pg():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def tables_analyze() -> None:
    """Refresh the planner's statistics of the registry tables (PostgreSQL). Inside a long
    import transaction autovacuum never sees the rows written so far, so without this the
    planner keeps believing the tables are (nearly) empty. ANALYZE runs inside a transaction
    block and counts the transaction's own inserted rows."""
    if _pg():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ENT}, {VAL}, {TAG}")


def _existing_codes(cursor, codes: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(codes), 900):
        part = codes[i : i + 900]
        cursor.execute(
            f"SELECT credit_code FROM {ENT} WHERE credit_code IN ({', '.join(['%s'] * len(part))})", part
        )
        found.update(row[0] for row in cursor.fetchall())
    return found


def _scale_indicator_ids(cursor) -> dict[int, str]:
    cursor.execute(
        "SELECT id, code FROM enterprises_indicatordefinition WHERE code IN (%s, %s, %s)", list(SCALE_CODES)
    )
    return dict(cursor.fetchall())


def scales_refresh(enterprise_ids: list[int], *, cursor=None) -> int:
    """Re-derive ``scale`` for these enterprises from their stored industry and latest values
    (the most recent period, not after today, with a value). Returns how many changed."""
    if cursor is None:
        with connection.cursor() as cur:
            return scales_refresh(enterprise_ids, cursor=cur)
    today = timezone.localdate()
    ids_by_code = {code: i for i, code in _scale_indicator_ids(cursor).items()}
    changed = 0
    for start in range(0, len(enterprise_ids), 900):
        part = enterprise_ids[start : start + 900]
        marks = ", ".join(["%s"] * len(part))
        cursor.execute(f"SELECT id, industry, scale FROM {ENT} WHERE id IN ({marks})", part)
        rows = cursor.fetchall()
        values = []
        if ids_by_code:  # none defined (a registry without the size indicators): classify from industry alone
            cursor.execute(
                f"SELECT enterprise_id, indicator_id, value, period_end FROM {VAL} WHERE enterprise_id IN ({marks}) "
                f"AND indicator_id IN ({', '.join(['%s'] * len(ids_by_code))}) AND value IS NOT NULL",
                [*part, *ids_by_code.values()],
            )
            values = cursor.fetchall()
        latest: dict[tuple[int, int], tuple[date, Decimal]] = {}
        for ent_id, ind_id, value, end in values:
            if isinstance(end, str):
                end = date.fromisoformat(end)
            end = end or date.min
            if end > today:
                continue
            key = (ent_id, ind_id)
            if key not in latest or end > latest[key][0]:
                latest[key] = (end, Decimal(str(value)))
        updates = []
        for ent_id, industry, old in rows:
            inputs = {}
            for code, ind_id in ids_by_code.items():
                item = latest.get((ent_id, ind_id))
                inputs[code] = item[1] if item else None
            new = reference.classify_scale(
                industry=industry, employees=inputs.get("employees"), revenue=inputs.get("revenue"),
                total_assets=inputs.get("total_assets"),
            )  # fmt: skip
            if new != old:
                updates.append((new, ent_id))
        if updates:
            cursor.executemany(f"UPDATE {ENT} SET scale = %s WHERE id = %s", updates)
            changed += len(updates)
    return changed
