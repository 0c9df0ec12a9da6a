"""政策计算器: a visitor states a few facts about an enterprise and sees which published
policies it would qualify for. The form asks only for the data the published policies
actually use (the fields of their criteria trees and award formulas)."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from enterprises import reference
from enterprises.models import EntityType, IndicatorDefinition, IndicatorType, Scale, TagDefinition
from matching.criteria import profile_from_json
from matching.criteria.evaluate import missing_labels
from matching.criteria.periods import period_label, period_stated
from matching.eligibility import eligibility_for_profile
from policies.models import Material

from .selectors import (
    PolicyBrief,
    _near_text,
    award_trees,
    criteria_conditions,
    policies_published_briefs,
)

CORE_ORDER = ["district", "zone", "industry", "established_on", "registered_capital", "scale", "entity_type"]
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:@[A-Za-z0-9_]+)?")
_FUNCS = {"min", "max", "floor", "ceil", "round", "abs"}


@dataclass
class FieldSpec:
    """The data the published policies use, grouped as the calculator asks for it."""

    core: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    tags_dated: set[str] = field(default_factory=set)  # tags asked about with recognised / first_time
    indicators: dict[str, set[str]] = field(
        default_factory=dict
    )  # code -> periods ("latest", "last_year", …)


def _periods_in_expression(expr: str) -> list[tuple[str, str]]:
    out = []
    for token in _IDENT.findall(expr or ""):
        code, _sep, period = token.partition("@")
        if code not in _FUNCS:
            out.append((code, period or "latest"))
    return out


def fields_used(briefs: list[PolicyBrief]) -> FieldSpec:
    spec = FieldSpec()
    core: set[str] = set()
    for brief in briefs:
        conditions = list(criteria_conditions(brief.criteria))
        for tree in award_trees(brief.award):
            conditions.extend(criteria_conditions(tree))
        for cond in conditions:
            name = cond.get("field")
            if name == "tags":
                values = cond.get("value")
                values = values if isinstance(values, list) else [values]
                for v in values:
                    if v not in spec.tags:
                        spec.tags.append(v)
                    if cond.get("recognized") or cond.get("first_time"):
                        spec.tags_dated.add(v)
            elif name == "age_years":
                core.add("established_on")
            elif name in CORE_ORDER:
                core.add(name)
            elif name:
                spec.indicators.setdefault(name, set()).add(str(cond.get("period") or "latest"))
        award = brief.award or {}
        exprs = [award.get("amount"), award.get("cap")] + [
            c.get("amount") for c in award.get("cases", []) or []
        ]
        for expr in exprs:
            if isinstance(expr, str):
                for code, period in _periods_in_expression(expr):
                    spec.indicators.setdefault(code, set()).add(period)
    if "district" in core:
        core.add("zone")  # a zone condition is answered from the same place in the form
    spec.core = [f for f in CORE_ORDER if f in core]
    return spec


def tag_field_name(tag: str) -> str:
    """The form field of a qualification, the same whatever other tags are published (the
    screener carries answers from step to step by field name)."""
    return "tag_" + hashlib.sha1(tag.encode()).hexdigest()[:10]


def _period_label(period: str) -> str:
    return period_label(period, language=get_language() or "zh-hans") if period else ""


class CalculatorForm(forms.Form):
    """Built at run time from the spec; every field is optional (unknown stays unknown)."""

    def __init__(self, *args, spec: FieldSpec, as_of: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.as_of = as_of
        self.indicator_fields: list[tuple[str, str, str]] = []  # (form name, code, period)
        self.tag_fields: list[tuple[str, str]] = []
        if "district" in spec.core:
            districts = [("", _("请选择"))] + list(reference.zhengzhou_districts().items())
            self.fields["district"] = forms.ChoiceField(
                label=_("所在区县"), choices=districts, required=False
            )
        if "zone" in spec.core:
            zones = [("", _("不在功能区"))] + list(reference.zhengzhou_zones().items())
            self.fields["zone"] = forms.ChoiceField(label=_("所在功能区"), choices=zones, required=False)
        if "industry" in spec.core:
            self.fields["industry"] = forms.CharField(
                label=_("所属行业（代码或名称）"),
                required=False,
                max_length=40,
                help_text=_(
                    "国民经济行业分类的代码或名称，如 C39、I6513、“计算机制造”或“软件和信息技术服务业”"
                ),
            )
        if "established_on" in spec.core:
            self.fields["established_on"] = forms.DateField(
                label=_("成立日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
        if "registered_capital" in spec.core:
            self.fields["registered_capital"] = forms.DecimalField(
                label=_("注册资本（万元）"), required=False, min_value=0, max_digits=14, decimal_places=2
            )
        if "scale" in spec.core:
            self.fields["scale"] = forms.ChoiceField(
                label=_("企业规模"), choices=[("", _("不清楚"))] + list(Scale.choices), required=False
            )
        if "entity_type" in spec.core:
            self.fields["entity_type"] = forms.ChoiceField(
                label=_("主体类型"), choices=[("", _("不清楚"))] + list(EntityType.choices), required=False
            )
        definitions = {d.code: d for d in IndicatorDefinition.objects.filter(code__in=list(spec.indicators))}
        for code in sorted(spec.indicators):
            definition = definitions.get(code)
            if definition is None:
                continue
            periods = sorted(
                {
                    period_stated(p, periodicity=definition.periodicity, as_of=as_of)
                    for p in spec.indicators[code]
                }
            )
            for period in periods:
                name = f"ind_{code}_{period or 'x'}"
                label = definition.name + (f"（{_period_label(period)}）" if period else "")
                if definition.type == IndicatorType.FLAG:
                    self.fields[name] = forms.TypedChoiceField(
                        label=label,
                        required=False,
                        coerce=lambda v: v,
                        choices=[("", _("不清楚")), ("1", _("是")), ("0", _("否"))],
                    )
                elif definition.type == IndicatorType.CODE:
                    self.fields[name] = forms.CharField(label=label, required=False, max_length=60)
                else:
                    unit = _("万元") if definition.type == IndicatorType.MONEY else definition.unit
                    self.fields[name] = forms.DecimalField(
                        label=f"{label}" + (f"（{unit}）" if unit else ""),
                        required=False,
                        max_digits=18,
                        decimal_places=4,
                    )
                self.indicator_fields.append((name, code, period))
        known_tags = set(TagDefinition.objects.filter(name__in=spec.tags).values_list("name", flat=True))
        for tag in (t for t in spec.tags if t in known_tags):
            name = tag_field_name(tag)
            self.fields[name] = forms.BooleanField(label=_("已获得此项资质"), required=False)
            self.tag_fields.append((name, tag))
            if tag in spec.tags_dated:
                self.fields[f"{name}_on"] = forms.DateField(
                    label=_("认定日期"),
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
                self.fields[f"{name}_first"] = forms.BooleanField(
                    label=_("首次认定（此前未获得过此项资质）"), required=False
                )

    def clean_industry(self) -> str:
        value = (self.cleaned_data.get("industry") or "").strip()
        return reference.industry_resolve(value) if value else ""

    def core_fields(self):
        return [self[name] for name in CORE_ORDER if name in self.fields]

    def indicator_bound_fields(self):
        return [self[name] for name, _code, _period in self.indicator_fields]

    def tag_bound_fields(self):
        out = []
        for name, _tag in self.tag_fields:
            extra = [self[n] for n in (f"{name}_on", f"{name}_first") if n in self.fields]
            out.append((self[name], extra))
        return out

    def profile_json(self) -> dict[str, Any]:
        """The §6 eligibility profile of what was stated (money in yuan, as strings)."""
        data = self.cleaned_data
        profile: dict[str, Any] = {}
        for key in ("district", "zone", "industry", "scale", "entity_type"):
            if data.get(key):
                profile[key] = data[key]
        if data.get("established_on"):
            profile["established_on"] = data["established_on"].isoformat()
        if data.get("registered_capital") is not None:
            profile["registered_capital"] = str(data["registered_capital"] * 10000)
        if "zone" in self.fields and not data.get("zone"):
            profile["zone"] = ""
        tags = []
        for name, tag in self.tag_fields:
            if data.get(name):
                entry: dict[str, Any] = {"name": tag}
                if data.get(f"{name}_on"):
                    entry["recognized_on"] = data[f"{name}_on"].isoformat()
                if f"{name}_first" in self.fields:
                    entry["first_time"] = bool(data.get(f"{name}_first"))
                tags.append(entry)
        profile["tags"] = tags
        indicators: dict[str, dict[str, str]] = {}
        definitions = {
            d.code: d for d in IndicatorDefinition.objects.filter(code__in=list(self.spec.indicators))
        }
        for name, code, period in self.indicator_fields:
            value = data.get(name)
            if value in (None, ""):
                continue
            definition = definitions[code]
            if definition.type == IndicatorType.MONEY:
                try:
                    value = Decimal(value) * 10000
                except (InvalidOperation, TypeError) as exc:
                    raise ValidationError({name: _("请填写数字")}) from exc
            indicators.setdefault(code, {})[period] = str(value)
        if indicators:
            profile["indicators"] = indicators
        return profile


def calculator_form(data=None) -> CalculatorForm:
    as_of = timezone.localdate()
    return CalculatorForm(data, spec=fields_used(policies_published_briefs()), as_of=as_of, prefix=None)


def calculator_results(*, profile_data: dict, as_of: datetime.date | None = None) -> dict[str, Any]:
    """Every published policy on a stated profile → eligible / possible / near misses, and the
    totals the eligible ones grant, 「确定可享」 and 「最高可申」, by the rule 我的政策 uses
    (``matching.eligibility.awards_totals``)."""
    result = eligibility_for_profile(
        profile=profile_from_json(profile_data), as_of=as_of or timezone.localdate()
    )
    for item in result.eligible + result.possible:
        item.missing = missing_labels(item.missing) or missing_labels(item.award_missing)
    for item in result.near:
        item.unmet = [_near_text(m) for m in item.unmet]

    _next_steps(result.eligible + result.possible, as_of=result.as_of)

    def by_amount(item):
        return (-(item.amount if item.amount is not None else Decimal(-1)), item.policy.id)

    return {
        "eligible": sorted(result.eligible, key=by_amount),
        "possible": sorted(result.possible, key=by_amount),
        "near": result.near[:20],
        "total": result.totals.certain,  # 「确定可享」
        "total_max": result.totals.most,  # 「最高可申」
        "as_of": result.as_of,
    }


def _next_steps(items: list, *, as_of: datetime.date) -> None:
    """What to do next on each result: its 申报材料 (one query for all) and its application
    window on ``as_of`` (``PolicyBrief.window``: upcoming / open / ended; 免申即享 needs none)."""
    names: dict[int, list[str]] = {}
    rows = Material.objects.filter(policy_id__in=[i.policy.id for i in items]).order_by("position", "id")
    for policy_id, name in rows.values_list("policy_id", "name"):
        names.setdefault(policy_id, []).append(name)
    for item in items:
        item.materials = names.get(item.policy.id, [])
        item.window = item.policy.window(as_of)
