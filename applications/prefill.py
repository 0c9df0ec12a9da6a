"""申报表单自动填充: what the registry already knows about the applicant, for the fields a
policy's criteria and award formula use, and what the enterprise must still supply.

The profile comes from the criteria package (``matching.criteria.profile_load``) so
that the form shows exactly what matching saw; the fields are those the policy's tree
and award expressions mention, plus the core identity fields every form carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from enterprises.models import IndicatorDefinition, Scale
from enterprises.reference import district_name, industry_name
from matching.profiles import profile_load

CORE_FIELDS: dict[str, str] = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "district": "行政区划",
    "industry": "国民经济行业",
    "established_on": "成立日期",
    "registered_capital": "注册资本",
    "scale": "企业规模",
}
CONTACT_LABELS = {"contact_name": "联系人", "contact_phone": "联系电话"}
# Fields of the criteria language that are derived or not a fillable value.
_NOT_ASKED = {"tags", "age_years", "scale", "entity_type", "zone"}
_FUNCS = {"min", "max", "floor", "ceil", "round"}
_IDENT = re.compile(r"\b([a-z_][a-z0-9_]*)(?:@([A-Za-z0-9_\-]+))?")


@dataclass
class PrefillField:
    field: str
    label: str
    value: Any  # the registry's value (display), None when unknown
    period: str = ""
    kind: str = "core"  # core | indicator
    indicator_type: str = ""
    unit: str = ""
    derived: bool = False  # computed by the portal (scale): shown, never asked for
    display: str = ""

    @property
    def known(self) -> bool:
        return self.value not in (None, "")

    @property
    def shown(self) -> Any:
        return self.display or self.value

    @property
    def input_name(self) -> str:
        return f"declared__{self.field}"


@dataclass
class Prefill:
    fields: list[PrefillField]
    tags: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_phone: str = ""

    @property
    def known(self) -> list[PrefillField]:
        return [f for f in self.fields if f.known]

    @property
    def missing(self) -> list[PrefillField]:
        return [f for f in self.fields if not f.known and not f.derived]

    def labels(self) -> dict[str, str]:
        return {**{f.field: f.label for f in self.fields}, **CONTACT_LABELS}

    def snapshot(self) -> dict:
        return {
            "fields": {
                f.field: {
                    "value": _jsonable(f.value),
                    "period": f.period,
                    "label": f.label,
                    "display": str(f.shown),
                }
                for f in self.fields
                if f.known
            },
            "labels": self.labels(),
            "tags": self.tags,
        }


def _tree_fields(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        if "field" in node:
            out.add(str(node["field"]))
        for key in ("all", "any"):
            for child in node.get(key) or []:
                _tree_fields(child, out)
        if "not" in node:
            _tree_fields(node["not"], out)
    elif isinstance(node, list):
        for child in node:
            _tree_fields(child, out)


def _expr_fields(expr: Any, out: set[str]) -> None:
    if expr is None:
        return
    for name, _period in _IDENT.findall(str(expr)):
        if name not in _FUNCS:
            out.add(name)


def policy_fields(policy) -> list[str]:
    """Field and indicator codes the policy's criteria and award mention, in a stable order."""
    found: set[str] = set()
    _tree_fields(policy.criteria or {}, found)
    award = policy.award or {}
    if isinstance(award, dict):
        _expr_fields(award.get("amount"), found)
        _expr_fields(award.get("cap"), found)
        for case in award.get("cases") or []:
            _tree_fields(case.get("when") or {}, found)
            _expr_fields(case.get("amount"), found)
    return sorted(found - _NOT_ASKED - set(CORE_FIELDS))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "to_json"):
        return _jsonable(value.to_json())
    if hasattr(value, "__dataclass_fields__"):
        return {k: _jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def _latest(periods: dict | None) -> tuple[str, Any]:
    if not periods:
        return "", None
    # Periods sort lexically within a periodicity ("2023" < "2024", "2024Q1" < "2024Q2").
    period = max(periods)
    return period, periods[period]


def application_prefill(*, policy, enterprise) -> Prefill:
    profile = profile_load(enterprise)
    indicators = profile.indicators
    fields: list[PrefillField] = []
    for code, label in CORE_FIELDS.items():
        value = getattr(profile, code)
        if value is None:
            value = getattr(enterprise, code)
        fields.append(
            PrefillField(
                field=code, label=label, value=value, derived=code == "scale", display=_display(code, value)
            )
        )
    wanted = policy_fields(policy)
    definitions = {d.code: d for d in IndicatorDefinition.objects.filter(code__in=wanted)}
    for code in wanted:
        definition = definitions.get(code)
        if definition is None:
            continue  # not an indicator (e.g. a core field the form already shows)
        period, value = _latest(indicators.get(code))
        display = format_number(value) if isinstance(value, Decimal) else ""
        if display and definition.unit:
            display = f"{display} {definition.unit}"
        fields.append(
            PrefillField(
                field=code,
                label=definition.name,
                value=value,
                period=period,
                kind="indicator",
                indicator_type=definition.type,
                unit=definition.unit,
                display=display,
            )
        )
    tags = sorted(profile.tags)
    return Prefill(
        fields=fields,
        tags=tags,
        contact_name=enterprise.contact_name,
        contact_phone=enterprise.contact_phone,
    )


def format_number(value: Decimal) -> str:
    """30000000.0000 → "30,000,000"; 1234.5 → "1,234.50"."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _display(code: str, value: Any) -> str:
    """A readable form of a coded core value (district and industry names, scale label)."""
    if value in (None, ""):
        return ""
    if code == "registered_capital" and isinstance(value, Decimal):
        return format_number(value)
    try:
        if code == "district":
            return f"{district_name(value)}（{value}）"
        if code == "industry":
            return f"{industry_name(value)}（{value}）"
        if code == "scale":
            return str(Scale(value).label)
    except Exception:  # noqa: BLE001 - an unknown code is shown as it is
        return str(value)
    return ""


jsonable = _jsonable
