"""The enterprise profile the evaluator reads (DESIGN §3), as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from enterprises import reference as ref

from .errors import CriteriaError
from .periods import parse_period
from .values import to_date, to_decimal
from .vocabulary import ENTITY_TYPES, SCALES


@dataclass(frozen=True)
class TagHolding:
    """A qualification held. ``expires_on`` is the last valid day; None = not known / no limit."""

    recognized_on: date | None = None
    expires_on: date | None = None
    first_time: bool | None = None


# an indicator value: Decimal for numbers, money, percent and flags (1/0), str for codes
IndicatorValues = dict[str, dict[str, Decimal | str]]


@dataclass
class Profile:
    id: int | None = None
    credit_code: str = ""
    name: str = ""
    entity_type: str | None = None
    district: str = ""
    zone: str = ""
    industry: str = ""
    established_on: date | None = None
    registered_capital: Decimal | None = None
    scale: str | None = None
    tags: dict[str, TagHolding] = field(default_factory=dict)
    indicators: IndicatorValues = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The §6 profile shape (round-trips through ``profile_from_json``)."""
        return {
            "credit_code": self.credit_code,
            "name": self.name,
            "entity_type": self.entity_type,
            "district": self.district,
            "zone": self.zone,
            "industry": self.industry,
            "established_on": self.established_on.isoformat() if self.established_on else None,
            "registered_capital": str(self.registered_capital)
            if self.registered_capital is not None
            else None,
            "scale": self.scale,
            "tags": [
                {
                    "name": n,
                    "recognized_on": t.recognized_on.isoformat() if t.recognized_on else None,
                    "expires_on": t.expires_on.isoformat() if t.expires_on else None,
                    "first_time": t.first_time,
                }
                for n, t in self.tags.items()
            ],  # fmt: skip
            "indicators": {c: {p: str(v) for p, v in vals.items()} for c, vals in self.indicators.items()},
        }


def _latest_any(values: dict[str, Decimal | str] | None) -> Decimal | None:
    """The most recent numeric value regardless of date (for deriving the size class)."""
    if not values:
        return None
    from .evaluate import latest_value  # evaluate imports this module (Profile): a real cycle

    return latest_value(values, date.max, numeric=True)


def profile_from_json(data: dict) -> Profile:
    """The §6 eligibility profile → Profile, names normalised to codes.

    Tags are strings or ``{"name", "recognized_on", "expires_on", "first_time"}``;
    indicators ``{"revenue": {"2024": "12000000"}}`` (a bare value is the period "").
    ``entity_type`` and ``scale`` are derived from the credit code and the size
    indicators; a stated value is used when the data to derive it is absent.
    Raises ``CriteriaError`` with paths such as ``profile.district``.
    """
    if not isinstance(data, dict):
        raise CriteriaError([{"path": "profile", "message": gettext("企业画像应为对象（JSON object）")}])
    errors: list[dict[str, str]] = []
    p = Profile()

    def err(key: str, message: str) -> None:
        errors.append({"path": f"profile.{key}", "message": message})

    def norm(key: str, fn) -> str:
        raw = data.get(key)
        if raw in (None, ""):
            return ""
        try:
            return fn(str(raw))
        except ValidationError as exc:
            err(key, "；".join(exc.messages))
            return ""

    p.name = str(data.get("name") or "")
    if data.get("credit_code"):
        code = ref.normalize_credit_code(str(data["credit_code"]))
        try:
            ref.validate_credit_code(code)
            p.credit_code = code
        except ValidationError as exc:
            err("credit_code", "；".join(exc.messages))
    p.district = norm("district", ref.normalize_district)
    p.zone = norm("zone", ref.normalize_zone)
    p.industry = norm("industry", ref.normalize_industry)
    if data.get("established_on") not in (None, ""):
        p.established_on = to_date(data["established_on"])
        if p.established_on is None:
            err(
                "established_on",
                gettext("日期格式不正确：%(established_on)s（应为 YYYY-MM-DD）")
                % {"established_on": repr(data["established_on"])},
            )
    if data.get("registered_capital") not in (None, ""):
        p.registered_capital = to_decimal(data["registered_capital"])
        if p.registered_capital is None:
            err(
                "registered_capital",
                gettext("注册资本应为数字（元）：%(registered_capital)s")
                % {"registered_capital": repr(data["registered_capital"])},
            )

    tags = data.get("tags") or []
    if not isinstance(tags, list):
        err("tags", gettext("tags 应为列表"))
        tags = []
    for i, tag in enumerate(tags):
        if isinstance(tag, str):
            p.tags[tag.strip()] = TagHolding()
            continue
        if not isinstance(tag, dict) or not isinstance(tag.get("name"), str):
            err(f"tags[{i}]", gettext('资质应为名称或 {"name", "recognized_on", "expires_on", "first_time"}'))
            continue
        dates = {}
        for key in ("recognized_on", "expires_on"):
            raw = tag.get(key)
            dates[key] = to_date(raw) if raw not in (None, "") else None
            if raw not in (None, "") and dates[key] is None:
                err(f"tags[{i}].{key}", gettext("日期格式不正确：%(raw)s") % {"raw": repr(raw)})
        first = tag.get("first_time")
        if first is not None and not isinstance(first, bool):
            err(f"tags[{i}].first_time", gettext("first_time 应为 true、false 或 null"))
            first = None
        p.tags[tag["name"].strip()] = TagHolding(dates["recognized_on"], dates["expires_on"], first)

    indicators = data.get("indicators") or {}
    if not isinstance(indicators, dict):
        err("indicators", gettext("indicators 应为 {指标代码: {期间: 值}}"))
        indicators = {}
    for code, periods in indicators.items():
        if not isinstance(periods, dict):
            periods = {"": periods}
        values: dict[str, Decimal | str] = {}
        for period, raw in periods.items():
            key = parse_period(period) if period != "" else ""
            if key is None or key in ("latest", "this_year", "last_year"):
                err(
                    f"indicators.{code}",
                    gettext("期间格式不正确：%(period)s（应为 2024、2024H1、2024Q2、2024-05）")
                    % {"period": repr(period)},
                )
                continue
            if raw is None or raw == "":
                continue
            if isinstance(raw, bool):
                values[key] = Decimal(int(raw))
                continue
            d = to_decimal(raw)
            values[key] = d if d is not None else str(raw)
        if values:
            p.indicators[str(code)] = values

    if p.credit_code:
        p.entity_type = ref.entity_type_for(p.credit_code)
    elif data.get("entity_type"):
        if data["entity_type"] in ENTITY_TYPES:
            p.entity_type = data["entity_type"]
        else:
            err(
                "entity_type",
                gettext("主体类型取值无效：%(entity_type)s") % {"entity_type": repr(data["entity_type"])},
            )
    derived = None
    if p.industry:
        derived = ref.classify_scale(
            industry=p.industry,
            employees=_latest_any(p.indicators.get("employees")),
            revenue=_latest_any(p.indicators.get("revenue")),
            total_assets=_latest_any(p.indicators.get("total_assets")),
        )
    if derived:
        p.scale = derived
    elif data.get("scale"):
        if data["scale"] in SCALES:
            p.scale = data["scale"]
        else:
            err(
                "scale",
                gettext("企业规模取值无效：%(scale)s（large、medium、small、micro）")
                % {"scale": repr(data["scale"])},
            )
    if errors:
        raise CriteriaError(errors)
    return p
