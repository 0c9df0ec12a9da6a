"""Input checks the registry's record cleaning cannot make (JSON shapes) and the shaping of
its answers into the API's error format."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _

from enterprises.services import BulkResult

ENTERPRISE_WRITABLE = [
    "credit_code", "name", "district", "zone", "industry", "established_on", "registered_capital", "address",
    "legal_representative", "contact_name", "contact_phone", "contact_email", "tags", "indicators",
]  # fmt: skip
# What a full update (PUT) clears when the client leaves it out.
ENTERPRISE_CLEARABLE = {
    "zone": "", "industry": "", "established_on": None, "registered_capital": None, "address": "",
    "legal_representative": "", "contact_name": "", "contact_phone": "", "contact_email": "",
}  # fmt: skip
_TEXT_FIELDS = ("credit_code", "name", "district", "zone", "industry", "established_on", "address",
                "legal_representative", "contact_name", "contact_phone", "contact_email")  # fmt: skip
_SCALAR = (str, int, float)


def row_shape_errors(row: dict) -> dict[str, list[str]]:
    """JSON shapes the registry's cleaning expects (it checks the values): cheap, per row."""
    out: dict[str, list[str]] = {}
    if not isinstance(row.get("credit_code"), str) or not row["credit_code"].strip():
        out["credit_code"] = [str(_("该字段是必填项。"))]
    for field in _TEXT_FIELDS[1:]:
        if row.get(field) is not None and not isinstance(row[field], str):
            out[field] = [str(_("应为字符串。"))]
    capital = row.get("registered_capital")
    if capital is not None and (isinstance(capital, bool) or not isinstance(capital, _SCALAR)):
        out["registered_capital"] = [str(_("应为数值或数字字符串。"))]
    tags = row.get("tags")
    if tags is not None and not (
        isinstance(tags, list)
        and all(isinstance(t, str) or (isinstance(t, dict) and isinstance(t.get("name"), str)) for t in tags)
    ):
        out["tags"] = [str(_('应为资质名称或 {"name": …} 对象的列表。'))]
    indicators = row.get("indicators")
    if indicators is not None and not (
        isinstance(indicators, dict)
        and all(
            isinstance(periods, dict)
            and all(
                v is None or (not isinstance(v, bool) and isinstance(v, _SCALAR)) for v in periods.values()
            )
            for periods in indicators.values()
        )
    ):
        out["indicators"] = [str(_("指标必须是 {指标代码: {期间: 数值}} 形式的对象。"))]
    return out


def bulk_errors(result: BulkResult) -> dict:
    """The registry's row errors keyed by row index (as text) and field."""
    return {str(index): fields for index, fields in result.errors.items()}


def bulk_counts(result: BulkResult, total: int) -> dict:
    return {
        "count": total,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def indexed_errors(exc: DjangoValidationError) -> dict:
    """``{"3.value": [...]}`` → ``{"3": {"value": [...]}}``."""
    out: dict[str, dict[str, list[str]]] = {}
    for key, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
        index, _sep, field = key.partition(".")
        out.setdefault(index, {}).setdefault(field or "non_field_errors", []).extend(messages)
    return out
