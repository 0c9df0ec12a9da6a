"""The audit entries of the registry's set-based writes (``enterprises.writer.records_write``):
one entry per enterprise a batch creates or changes, with the fields old → new, written in the
batch's transaction. The writer calls this module's ``AuditTrail`` from its statements; the
entries go in through ``portal.audittrail.context.entries_bulk_create``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any


def _text(value: Any) -> str:
    """A value as django-auditlog writes it in ``changes`` (``None`` → ``"None"``)."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def _same(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is new
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except ArithmeticError:
            return False
    if isinstance(new, date) and isinstance(old, str):
        return old == new.isoformat()
    return old == new


class AuditTrail:
    """One audit entry per enterprise a batch creates or changes: core fields old → new (contact
    data masked, as the model's registration masks it), ``indicator:<code>:<period>`` and
    ``tags``. The old values are read in the statements that find what changes (one SELECT per
    table, only the rows that change); the entries go in with one INSERT."""

    MASKED = ("contact_phone", "contact_email")

    def __init__(self, source: str, *, core_defaults: dict[str, Any]):
        self.source = source
        self.core_defaults = core_defaults
        self.before: dict[str, dict[str, Any]] = {}
        self.values: dict[int, dict[str, list[str]]] = {}
        self.old_tags: dict[int, set[int]] = {}

    def core_before(self, cols: list[str], rows) -> None:
        for code, *values in rows:
            self.before[code] = dict(zip(cols, values, strict=True))

    def values_changed(self, rows) -> None:
        for ent_id, indicator_id, period, old, old_text, new, new_text in rows:
            self.values.setdefault(ent_id, {})[f"{indicator_id}:{period}"] = [
                _text(old if old_text in (None, "") else old_text)
                if (old is not None or old_text)
                else "None",
                _text(new if new_text in (None, "") else new_text),
            ]

    def tags_before(self, rows) -> None:
        for ent_id, _code, tag_id in rows:
            self.old_tags.setdefault(ent_id, set()).add(tag_id)

    def _mask(self, name: str, value: str) -> str:
        if name in self.MASKED and value not in ("", "None"):
            from portal.accounts.masking import mask_any

            return mask_any(value)
        return value

    def write(self, records, *, fields, created_id_of, core_changed, tags_changed, changed_ids) -> None:
        if not changed_ids:
            return
        from auditlog.models import LogEntry

        from enterprises.models import Enterprise, TagDefinition
        from portal.audittrail.context import entries_bulk_create

        names = dict(Enterprise.objects.filter(id__in=changed_ids).values_list("id", "name"))
        id_of = {v: k for k, v in created_id_of.items()}
        indicator_codes: dict[int, str] = {}
        tag_ids: set[int] = set()
        for r in records:
            for v in r.indicators:
                indicator_codes[v["indicator_id"]] = v["code"]
            for t in r.tags or ():
                tag_ids.add(t["tag_id"])
        for ids in self.old_tags.values():
            tag_ids |= ids
        tag_names = (
            dict(TagDefinition.objects.filter(id__in=tag_ids).values_list("id", "name")) if tag_ids else {}
        )

        def indicator_key(key: str) -> str:
            indicator_id, period = key.split(":", 1)
            return f"indicator:{indicator_codes.get(int(indicator_id), indicator_id)}:{period}"

        def tag_list(ids) -> str:
            return ", ".join(sorted(tag_names.get(i, str(i)) for i in ids))

        by_code = {r.credit_code: r for r in records}
        ent_ids_of_code: dict[str, int] = {}
        if core_changed or self.values or tags_changed:
            wanted = (core_changed | set(self.values) | tags_changed) - set(id_of)
            ent_ids_of_code = {
                code: pk
                for pk, code in Enterprise.objects.filter(id__in=wanted).values_list("id", "credit_code")
            }
        rows = []
        for code, ent_id in created_id_of.items():  # created: every value it was given
            r = by_code[code]
            changes = {"credit_code": ["None", code]}
            for name, value in r.core.items():
                if value not in (None, ""):
                    changes[name] = ["None", self._mask(name, _text(value))]
            for key, pair in self.values.get(ent_id, {}).items():
                changes[indicator_key(key)] = pair
            for v in r.indicators:
                changes.setdefault(f"indicator:{v['code']}:{v['period']}",
                                   ["None", _text(v["text_value"] or v["value"])])  # fmt: skip
            if r.tags:
                changes["tags"] = ["None", tag_list(t["tag_id"] for t in r.tags)]
            rows.append((ent_id, names.get(ent_id, code), LogEntry.Action.CREATE, changes))
        for code, ent_id in ent_ids_of_code.items():
            r = by_code.get(code)
            changes = {}
            if ent_id in core_changed and r is not None:
                old = self.before.get(code, {})
                for name in fields:
                    new = r.core.get(name, self.core_defaults.get(name))
                    if name in old and not _same(old[name], new):
                        changes[name] = [self._mask(name, _text(old[name])), self._mask(name, _text(new))]
            for key, pair in self.values.get(ent_id, {}).items():
                changes[indicator_key(key)] = pair
            if ent_id in tags_changed and r is not None and r.tags is not None:
                changes["tags"] = [
                    tag_list(self.old_tags.get(ent_id, ())),
                    tag_list(t["tag_id"] for t in r.tags),
                ]
            if not changes:
                continue
            rows.append((ent_id, names.get(ent_id, code), LogEntry.Action.UPDATE, changes))
        entries_bulk_create(Enterprise, rows, extra={"source": self.source})
