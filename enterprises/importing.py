"""Importing enterprise files (CSV, xlsx): the format, streaming validation, all-or-nothing writes.

File format (docs/registry.md): one header row, one enterprise per row. Core columns by
English field name or Chinese label; indicator columns in wide form ``<indicator>_<period>``
(``revenue_2023``, ``营业收入_2024``, ``employees_2024H1``; an indicator without periodicity is
just its code); a ``tags`` / ``资质标签`` column (``名称|认定日期|有效期至|首次``, ``;``-separated).
Row numbers in reports are the spreadsheet's: the header is row 1.

A file is read once, streaming, in bounded memory: every row is validated (all bad rows
reported) and the cleaned chunks are spooled to a temporary file; only if no row is bad are
the chunks written, inside ONE transaction. Re-importing the same file changes nothing (upsert by credit code; unchanged
rows are not touched).
"""

from __future__ import annotations

import csv
import hashlib
import io
import pickle
import re
import tempfile
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from enterprises import reference, writer
from enterprises.cleaning import CORE_FIELDS, FIELD_LABELS, RecordInvalid, record_clean
from enterprises.models import Enterprise
from enterprises.periods import normalize_period
from enterprises.services import _rematch
from matching.criteria import Vocabulary, vocabulary_load

# Accepted header spellings (compared after NFKC, lower-case, without spaces/brackets' content units).
HEADER_ALIASES: dict[str, list[str]] = {
    "credit_code": ["credit_code", "统一社会信用代码", "信用代码", "社会信用代码"],
    "name": ["name", "名称", "企业名称", "单位名称", "市场主体名称"],
    "district": ["district", "行政区划", "所属区县", "区县", "所在区县", "行政区划代码"],
    "zone": ["zone", "功能区", "所属功能区"],
    "industry": ["industry", "国民经济行业", "行业代码", "行业", "所属行业"],
    "established_on": ["established_on", "成立日期", "注册日期"],
    "registered_capital": ["registered_capital", "注册资本", "注册资本(元)"],
    "address": ["address", "地址", "注册地址", "住所"],
    "legal_representative": ["legal_representative", "法定代表人"],
    "contact_name": ["contact_name", "联系人"],
    "contact_phone": ["contact_phone", "联系电话", "联系人电话"],
    "contact_email": ["contact_email", "联系邮箱", "电子邮箱"],
    "tags": ["tags", "资质标签", "资质", "标签"],
}
# Derived columns of an export: ignored on import (they are recomputed, never taken from a file).
IGNORED_HEADERS = {"id", "scale", "企业规模", "needs_review", "待人工核验", "entity_type", "主体类型"}
MAX_REPORTED_ERRORS = 10_000


def _header_key(text: Any) -> str:
    key = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"\s+", "", key)


_ALIAS_INDEX = {_header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_INDICATOR_HEADER = re.compile(r"^(.+?)[_\-(（]?(\d{4}(?:[hq]\d|-\d{2})?)[)）]?$", re.IGNORECASE)


@dataclass
class RowError:
    row: int  # spreadsheet row number (header = 1)
    field: str  # Chinese label of the field or column
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.field}：{self.message}"


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    bad_rows: int = 0
    written: bool = False
    changed_ids_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def summary(self) -> str:
        if not self.ok:
            return f"共{self.total}行，{self.bad_rows}行有误（{self.error_count}处），未写入任何数据"
        verb = "已写入" if self.written else "校验通过（未写入）"
        return f"共{self.total}行，{verb}：新增{self.created}，更新{self.updated}，未变{self.unchanged}"


class HeaderError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class ColumnMap:
    """How the columns of a file map onto a record."""

    columns: list[tuple]  # per column: ("core", name) | ("tags",) | ("indicator", code, period) | ("skip",)
    headers: list[str]

    @classmethod
    def from_headers(cls, headers: list[Any], *, vocabulary: Vocabulary) -> ColumnMap:
        columns: list[tuple] = []
        errors: list[str] = []
        seen: dict[tuple, str] = {}
        for raw in headers:
            key = _header_key(raw)
            if key == "" or key in IGNORED_HEADERS:
                columns.append(("skip",))
                continue
            name = _ALIAS_INDEX.get(key) or _ALIAS_INDEX.get(re.sub(r"[(（].*[)）]$", "", key))
            if name == "tags":
                col: tuple = ("tags",)
            elif name:
                col = ("core", name)
            else:
                col = _indicator_column(str(raw), vocabulary=vocabulary, errors=errors)
            if col in seen and col != ("skip",):
                errors.append(f"列“{raw}”与列“{seen[col]}”重复")
            seen[col] = str(raw)
            columns.append(col)
        if ("core", "credit_code") not in columns:
            errors.append("缺少“统一社会信用代码”（credit_code）列")
        if errors:
            raise HeaderError(errors)
        return cls(columns=columns, headers=[str(h or "") for h in headers])

    @property
    def core_fields(self) -> set[str]:
        return {c[1] for c in self.columns if c[0] == "core" and c[1] != "credit_code"}

    def row_data(self, values: Iterable[Any]) -> dict:
        data: dict[str, Any] = {}
        indicators: list[dict] = []
        for col, value in zip(self.columns, values, strict=False):
            kind = col[0]
            if kind == "core":
                data[col[1]] = value
            elif kind == "tags":
                data["tags"] = "" if value is None else value
            elif kind == "indicator":
                if value is not None and str(value).strip() != "":
                    indicators.append({"code": col[1], "period": col[2], "value": value})
        if indicators:
            data["indicators"] = indicators
        if any(c[0] == "tags" for c in self.columns) and "tags" not in data:
            data["tags"] = ""
        return data


def _indicator_column(raw: str, *, vocabulary: Vocabulary, errors: list[str]) -> tuple:
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _INDICATOR_HEADER.match(text)
    candidates = []
    if match:
        candidates.append((match.group(1).rstrip("_-"), match.group(2)))
    candidates.append((text, ""))
    for name, period in candidates:
        code = vocabulary.indicator_code(name)
        definition = vocabulary.indicators.get(code) or vocabulary.indicators.get(code.lower())
        if definition is None:
            continue
        code = code if code in vocabulary.indicators else code.lower()
        try:
            period = normalize_period(period)
        except ValidationError:
            errors.append(f"列“{raw}”的期间无法识别")
            return ("skip",)
        return ("indicator", code, period)
    errors.append(f"无法识别的列：“{raw}”（不是已知字段，也不是“指标代码_期间”形式的已定义指标）")
    return ("skip",)


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


def _csv_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a multi-byte character cut by the sample
            return "utf-8-sig"
        return "gb18030"  # Excel on Chinese Windows saves CSV in GBK


def file_open(path: str | Path) -> tuple[list[Any], Callable[[], Iterator[list[Any]]], int | None]:
    """(headers, a function returning a fresh iterator over the data rows, rows if known)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:

        def rows() -> Iterator[list[Any]]:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                it = wb.worksheets[0].iter_rows(values_only=True)
                next(it, None)
                for row in it:
                    yield list(row)
            finally:
                wb.close()

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        headers = list(next(ws.iter_rows(values_only=True, max_row=1), []))
        total = (ws.max_row - 1) if ws.max_row else None
        wb.close()
        return headers, rows, total
    if suffix in {".csv", ".txt"}:
        encoding = _csv_encoding(path)

        def rows() -> Iterator[list[Any]]:
            with open(path, encoding=encoding, newline="") as fh:
                reader = csv.reader(fh)
                next(reader, None)
                yield from reader

        with open(path, encoding=encoding, newline="") as fh:
            headers = next(csv.reader(fh), [])
        return headers, rows, None
    raise HeaderError([f"不支持的文件类型：{suffix or path.name}（请用 .csv 或 .xlsx）"])


def count_data_rows(path: str | Path) -> int | None:
    """Data rows of a CSV (newline count minus the header), cheaply, for the progress bar."""
    path = Path(path)
    if path.suffix.lower() not in {".csv", ".txt"}:
        return None
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


# ---------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------


def _digest(code: str) -> int:
    return int.from_bytes(hashlib.blake2b(code.encode(), digest_size=8).digest(), "little", signed=True)


def _chunks(rows: Iterator[list[Any]], size: int, first_row: int) -> Iterator[list[tuple[int, list[Any]]]]:
    chunk: list[tuple[int, list[Any]]] = []
    number = first_row
    for values in rows:
        if values and any(v is not None and str(v).strip() != "" for v in values):
            chunk.append((number, values))
        number += 1
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _existing(codes: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        return writer._existing_codes(cursor, codes)


def _clean_chunk(chunk, *, columns: ColumnMap, vocabulary: Vocabulary, report: ImportReport | None):
    datas = [(number, columns.row_data(values)) for number, values in chunk]
    codes = [reference.normalize_credit_code(d.get("credit_code") or "") for _, d in datas]
    existing = _existing([c for c in codes if c])
    records = []
    for (number, data), code in zip(datas, codes, strict=True):
        try:
            records.append((number, record_clean(data, vocabulary=vocabulary, creating=code not in existing)))
        except RecordInvalid as exc:
            if report is not None:
                report.bad_rows += 1
                for name, messages in exc.errors.items():
                    label = FIELD_LABELS.get(name.split(".")[0], name)
                    if name.startswith("indicators."):
                        label = name.split(".", 1)[1]
                    for message in messages:
                        report.add(RowError(row=number, field=label, message=message))
    return records, existing


def rows_import(
    *,
    headers: list[Any],
    rows: Callable[[], Iterator[list[Any]]],
    source: str,
    dry_run: bool = False,
    chunk_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    on_written: Callable[[list[tuple[int, str, str]]], None] | None = None,
    rematch: bool = True,
) -> ImportReport:
    """Validate every row (streaming), then — only if all are good and not ``dry_run`` — write
    them in chunks inside one transaction. ``progress(n)`` is called with rows done per chunk
    (twice over the file when writing). ``on_written`` receives ``(row, credit_code, outcome)``
    per written row, outcome "new" / "update" / "skip" (the admin preview uses it).
    ``rematch=False`` skips the per-enterprise re-match (an initial bulk load before any policy
    exists; publishing a policy matches the whole registry set-based anyway)."""
    report = ImportReport()
    vocabulary = vocabulary_load()
    try:
        columns = ColumnMap.from_headers(headers, vocabulary=vocabulary)
    except HeaderError as exc:
        for message in exc.messages:
            report.add(RowError(row=1, field="表头", message=message))
        report.bad_rows = 1
        return report
    digests = array("q")
    # The cleaned chunks are spooled to a temporary file (disk, not memory) so that the write
    # pass does not parse and validate every row a second time.
    with tempfile.TemporaryFile() as spool:
        for chunk in _chunks(rows(), chunk_size, first_row=2):
            records, _ = _clean_chunk(chunk, columns=columns, vocabulary=vocabulary, report=report)
            report.total += len(chunk)
            digests.extend(_digest(r.credit_code) for _, r in records)
            if report.ok and not dry_run:
                pickle.dump((len(chunk), records), spool, protocol=pickle.HIGHEST_PROTOCOL)
            if progress:
                progress(len(chunk))
        _report_duplicates(digests, rows=rows, columns=columns, report=report)
        del digests
        if not report.ok or dry_run:
            return report
        spool.seek(0)
        _write_spooled(spool, report=report, fields=columns.core_fields, source=source, progress=progress,
                       on_written=on_written, rematch=rematch)  # fmt: skip
    report.unchanged = report.total - report.created - report.updated
    report.written = True
    return report


def _spooled(spool) -> Iterator[tuple[int, list]]:
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


# The write pass runs in one transaction, whose rows autovacuum never sees: the registry tables
# are ANALYZEd after this many rows, then each time the rows written so far have doubled, so the
# planner's estimates grow with the tables (see writer.tables_analyze).
ANALYZE_FIRST_AT = 10_000


def _write_spooled(spool, *, report: ImportReport, fields: set[str], source: str, progress, on_written,
                   rematch: bool) -> None:  # fmt: skip
    written = 0
    analyze_at = ANALYZE_FIRST_AT  # then every time the rows written so far have doubled
    with transaction.atomic(), writer.constraints_immediate():
        for n_rows, records in _spooled(spool):
            existing = _existing([r.credit_code for _, r in records])
            result = writer.records_write(
                [r for _, r in records], fields=fields, source=source, existing=existing
            )
            written += n_rows
            if written >= analyze_at:
                writer.tables_analyze()
                while analyze_at <= written:
                    analyze_at *= 2
            report.created += result.created
            report.updated += result.updated
            report.changed_ids_count += len(result.changed_ids)
            if on_written:
                changed_codes = _codes_of(result.changed_ids - result.created_ids)
                on_written(
                    [(n, r.credit_code, "new" if r.credit_code not in existing
                      else "update" if r.credit_code in changed_codes else "skip") for n, r in records]
                )  # fmt: skip
            if result.changed_ids and rematch:
                _rematch(result.changed_ids)
            if progress:
                progress(n_rows)


def _codes_of(ids: set[int]) -> set[str]:
    if not ids:
        return set()
    return set(Enterprise.objects.filter(id__in=ids).values_list("credit_code", flat=True))


def _report_duplicates(digests: array, *, rows, columns: ColumnMap, report: ImportReport) -> None:
    """A credit code twice in one file is an error (which row should win?). Found with 8 bytes
    per row; the rare file with duplicates is read once more to name the rows."""
    ordered = sorted(digests)
    dup = {a for a, b in zip(ordered, ordered[1:], strict=False) if a == b}
    del ordered
    if not dup:
        return
    first: dict[str, int] = {}
    index = columns.columns.index(("core", "credit_code"))
    number = 1
    for values in rows():
        number += 1
        if index >= len(values):
            continue
        code = reference.normalize_credit_code(values[index] or "")
        if code and _digest(code) in dup:
            if code in first:
                report.bad_rows += 1
                report.add(
                    RowError(row=number, field="统一社会信用代码", message=f"与第{first[code]}行重复：{code}")
                )
            else:
                first[code] = number


def enterprise_import_file(
    *,
    path: str | Path,
    source: str = "",
    dry_run: bool = False,
    chunk_size: int = 5000,
    progress=None,
    rematch: bool = True,
) -> ImportReport:
    """Import a CSV or xlsx file of enterprises (all or nothing)."""
    try:
        headers, rows, _ = file_open(path)
    except HeaderError as exc:
        report = ImportReport(bad_rows=1)
        for message in exc.messages:
            report.add(RowError(row=1, field="文件", message=message))
        return report
    return rows_import(
        headers=headers, rows=rows, source=source or f"导入:{Path(path).name}"[:60], dry_run=dry_run,
        chunk_size=chunk_size, progress=progress, rematch=rematch,
    )  # fmt: skip


def export_headers(*, indicator_periods: list[tuple[str, str]], chinese: bool = False) -> list[str]:
    core = ["credit_code", *CORE_FIELDS, "tags"]
    if chinese:
        names = [HEADER_ALIASES[c][1] for c in core]
    else:
        names = core
    return names + [f"{code}_{period}" if period else code for code, period in indicator_periods]


def csv_text(headers: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue()
