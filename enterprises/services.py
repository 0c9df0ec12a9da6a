"""Writes to the registry. Every write that changes a profile re-matches the enterprises
it changed (``matching.services.enterprise_rematch_schedule``, on commit)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from enterprises import writer
from enterprises.cleaning import (
    CORE_FIELDS,
    CleanRecord,
    RecordInvalid,
    clean_indicator_value,
    clean_tags,
    record_clean,
)
from enterprises.models import Enterprise
from enterprises.reference import normalize_credit_code
from matching.criteria import vocabulary_load
from matching.services import enterprise_rematch_schedule
from portal.audittrail.context import acting


@dataclass
class BulkResult:
    """Outcome of a batch. ``errors`` is ``{row index: {field: [message, …]}}``; when it is not
    empty nothing was written."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    changed_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _rematch(enterprise_ids: Iterable[int]) -> None:
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    enterprise_rematch_schedule(enterprise_ids=ids)


def _validation_error(errors: dict[str, list[str]]) -> ValidationError:
    return ValidationError({k: [ValidationError(m) for m in v] for k, v in errors.items()})


def _write_groups(
    records: list[CleanRecord], *, source: str, existing: set[str] | None = None
) -> writer.WriteResult:
    """Records may carry different sets of core fields (partial updates): write each set apart."""
    total = writer.WriteResult()
    groups: dict[frozenset[str], list[CleanRecord]] = {}
    for r in records:
        groups.setdefault(frozenset(r.core), []).append(r)
    for fields, group in groups.items():
        part = writer.records_write(group, fields=set(fields), source=source, existing=existing)
        total.created_ids |= part.created_ids
        total.changed_ids |= part.changed_ids
    total.created = len(total.created_ids)
    total.updated = len(total.changed_ids - total.created_ids)
    return total


@transaction.atomic
def enterprise_upsert(*, data: dict, source: str, actor: Any = None) -> Enterprise:
    """Create or update one enterprise by credit code.

    ``data`` holds any of the §3 core fields, ``tags`` (replaces the enterprise's set when
    given) and ``indicators`` (``{"revenue": {"2024": "12000000"}}``, merged). Fields not in
    ``data`` keep their value. Raises ``ValidationError`` keyed by field (Chinese messages)
    and changes nothing then.
    """
    vocabulary = vocabulary_load()
    code = data.get("credit_code") or ""
    exists = Enterprise.objects.filter(credit_code=normalize_credit_code(code)).exists()
    try:
        record = record_clean(data, vocabulary=vocabulary, creating=not exists)
    except RecordInvalid as exc:
        raise _validation_error(exc.errors) from None
    with acting(actor):  # the writer's audit entry names the actor (and what changed)
        result = _write_groups([record], source=source)
    _rematch(result.changed_ids)
    return Enterprise.objects.get(credit_code=record.credit_code)


@transaction.atomic
def enterprise_bulk_upsert(*, rows: list[dict], source: str, actor: Any = None) -> BulkResult:
    """Upsert many enterprises, all or nothing: with any bad row, nothing is written and
    ``errors`` says which row (0-based index) and field, in Chinese."""
    vocabulary = vocabulary_load()
    codes = [normalize_credit_code(r.get("credit_code") or "") for r in rows]
    existing = set(
        Enterprise.objects.filter(credit_code__in=[c for c in codes if c]).values_list(
            "credit_code", flat=True
        )
    )
    result = BulkResult()
    records: list[CleanRecord] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            record = record_clean(row, vocabulary=vocabulary, creating=codes[index] not in existing)
        except RecordInvalid as exc:
            result.errors[index] = exc.errors
            continue
        if record.credit_code in seen:
            result.errors[index] = {
                "credit_code": [
                    f"统一社会信用代码与第{seen[record.credit_code] + 1}条重复：{record.credit_code}"
                ]
            }
            continue
        seen[record.credit_code] = index
        records.append(record)
    if result.errors:
        return result
    with acting(actor):  # one audit entry per created or changed enterprise
        written = _write_groups(records, source=source, existing=existing)
    result.created = written.created
    result.updated = written.updated
    result.unchanged = len(records) - written.created - written.updated
    result.changed_ids = sorted(written.changed_ids)
    _rematch(written.changed_ids)
    return result


@transaction.atomic
def indicator_values_set(*, values: list[dict], source: str) -> int:
    """Set indicator values: ``[{"credit_code" | "enterprise_id", "code", "period", "value",
    "as_of"?, "source"?}]``. All or nothing; errors keyed ``"<index>.<field>"``. Returns the
    number of enterprises whose values changed."""
    vocabulary = vocabulary_load()
    ids = {v["enterprise_id"] for v in values if v.get("enterprise_id")}
    codes_by_id = dict(Enterprise.objects.filter(id__in=ids).values_list("id", "credit_code"))
    errors: dict[str, list[str]] = {}
    by_code: dict[str, dict[tuple, dict]] = {}
    wanted_codes = {normalize_credit_code(v.get("credit_code") or "") for v in values if v.get("credit_code")}
    known = set(Enterprise.objects.filter(credit_code__in=wanted_codes).values_list("credit_code", flat=True))
    for index, item in enumerate(values):
        code = codes_by_id.get(item.get("enterprise_id")) or normalize_credit_code(
            item.get("credit_code") or ""
        )
        if code not in known and code not in codes_by_id.values():
            errors.setdefault(f"{index}.enterprise", []).append(
                f"市场主体库中没有该企业：{code or item.get('enterprise_id')}"
            )
            continue
        try:
            cleaned = clean_indicator_value(
                code=item.get("code") or item.get("indicator"), period=item.get("period", ""), value=item.get("value"),
                vocabulary=vocabulary, as_of=item.get("as_of"), source=item.get("source", ""),
            )  # fmt: skip
        except ValidationError as exc:
            errors.setdefault(f"{index}.value", []).extend(str(m) for m in exc.messages)
            continue
        by_code.setdefault(code, {})[(cleaned["indicator_id"], cleaned["period"])] = cleaned
    if errors:
        raise _validation_error(errors)
    records = [
        CleanRecord(
            credit_code=code,
            entity_type="",
            needs_review=False,
            review_reason="",
            core={},
            indicators=list(vals.values()),
        )  # fmt: skip
        for code, vals in by_code.items()
    ]
    result = writer.records_write(records, fields=set(), source=source, existing=set(by_code))
    _rematch(result.changed_ids)
    return len(result.changed_ids)


@transaction.atomic
def enterprise_tags_set(*, enterprise: Enterprise, tags: list, source: str = "") -> bool:
    """Replace the enterprise's qualifications: ``[name | {"name", "recognized_on", "expires_on",
    "first_time"}]``. Unknown names are rejected. Returns whether anything changed."""
    vocabulary = vocabulary_load()
    errors: dict[str, list[str]] = {}
    cleaned = clean_tags(tags, vocabulary=vocabulary, errors=errors)
    if errors:
        raise _validation_error(errors)
    record = CleanRecord(credit_code=enterprise.credit_code, entity_type="", needs_review=False, review_reason="",
                         core={}, tags=cleaned)  # fmt: skip
    result = writer.records_write([record], fields=set(), source=source, existing={enterprise.credit_code})
    _rematch(result.changed_ids)
    return bool(result.changed_ids)


@transaction.atomic
def enterprise_tag_set(*, enterprise: Enterprise, name: str, recognized_on=None, expires_on=None,
                       first_time=None, source: str = "") -> None:  # fmt: skip
    """Add or update one qualification, keeping the others."""
    current = [
        {
            "name": t.tag.name,
            "recognized_on": t.recognized_on,
            "expires_on": t.expires_on,
            "first_time": t.first_time,
        }
        for t in enterprise.tags.select_related("tag")
        if t.tag.name != name
    ]
    current.append(
        {"name": name, "recognized_on": recognized_on, "expires_on": expires_on, "first_time": first_time}
    )
    enterprise_tags_set(enterprise=enterprise, tags=current, source=source)


@transaction.atomic
def enterprise_tag_remove(*, enterprise: Enterprise, name: str) -> bool:
    """Remove a recognised qualification (derived 画像 tags are the portal's own: left as they are)."""
    deleted, _ = enterprise.tags.filter(tag__name=name, tag__derived=False).delete()
    if deleted:
        _rematch([enterprise.id])
    return bool(deleted)


@transaction.atomic
def enterprise_scale_refresh(*, enterprise_ids: list[int]) -> int:
    """Re-derive ``scale`` (e.g. after an admin edit of indicators); re-matches those changed."""
    changed = writer.scales_refresh(sorted(enterprise_ids))
    if changed:
        _rematch(enterprise_ids)
    return changed


def enterprise_profile_changed(*, enterprise_ids: list[int]) -> None:
    """For edits made through the ORM (the admin): refresh the derived scale and re-match."""
    writer.scales_refresh(sorted(enterprise_ids))
    _rematch(enterprise_ids)


__all__ = [
    "BulkResult", "CORE_FIELDS", "enterprise_bulk_upsert", "enterprise_profile_changed", "enterprise_scale_refresh",
    "enterprise_tag_remove", "enterprise_tag_set", "enterprise_tags_set", "enterprise_upsert", "indicator_values_set",
]  # fmt: skip
