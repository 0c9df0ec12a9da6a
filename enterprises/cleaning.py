"""Validation of one enterprise record (a dict from a form, the API or one file row).

``record_clean`` turns loosely typed input into the exact values the registry stores,
or collects every problem as ``{field: [Chinese message, …]}`` so that an import can
report all bad rows at once. Nothing here writes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from enterprises import reference
from enterprises.periods import normalize_period, period_bounds
from matching.criteria import Vocabulary
from matching.criteria.periods import period_kind

CORE_FIELDS = [
    "name", "district", "zone", "industry", "established_on", "registered_capital", "address",
    "legal_representative", "contact_name", "contact_phone", "contact_email",
]  # fmt: skip
MAX_LENGTHS = {"name": 200, "address": 300, "legal_representative": 50, "contact_name": 50,
               "contact_phone": 20, "contact_email": 254}  # fmt: skip
FIELD_LABELS = {
    "credit_code": "统一社会信用代码", "name": "名称", "district": "行政区划", "zone": "功能区",
    "industry": "国民经济行业", "established_on": "成立日期", "registered_capital": "注册资本",
    "address": "地址", "legal_representative": "法定代表人", "contact_name": "联系人",
    "contact_phone": "联系电话", "contact_email": "联系邮箱", "tags": "资质标签", "indicators": "指标",
}  # fmt: skip


@dataclass
class CleanRecord:
    credit_code: str
    entity_type: str
    needs_review: bool
    review_reason: str
    core: dict[str, Any] = field(default_factory=dict)  # only the fields given
    tags: list[dict] | None = None  # None: tags not given (leave as they are)
    indicators: list[dict] = field(default_factory=list)


class RecordInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


_MAX_NUMBER = Decimal(10) ** 16
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def parse_date(value: Any, *, label: str = "日期") -> date | None:
    """ISO 8601 and the common spreadsheet forms → date; blank → None; else ValidationError."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    text = _text(value)
    if "T" in text or " " in text:
        text = re.split(r"[T ]", text)[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        "%(label)s无法识别：%(v)s（请用 2024-05-01 格式）", code="date", params={"label": label, "v": value}
    )


def parse_decimal(
    value: Any, *, label: str, money: bool = False, allow_negative: bool = False
) -> Decimal | None:
    """A number (commas, 元 and 万元 allowed for money) → Decimal; blank → None (unknown, not zero)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValidationError("%(label)s应为数字：%(v)s", code="number", params={"label": label, "v": value})
    factor = Decimal(1)
    if isinstance(value, str):  # fast path: a plain number, as in most files
        try:
            number = Decimal(value)
        except InvalidOperation:
            pass
        else:
            if number.is_finite() and Decimal(0) <= number < _MAX_NUMBER:
                return number
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = _text(value).replace(",", "").replace("，", "").replace(" ", "")
        if money:
            if text.endswith("万元") or text.endswith("万"):
                factor, text = Decimal(10000), text.rstrip("元").rstrip("万")
            elif text.endswith("元"):
                text = text[:-1]
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                "%(label)s应为数字：%(v)s", code="number", params={"label": label, "v": value}
            ) from None
    if not number.is_finite():
        raise ValidationError("%(label)s应为数字：%(v)s", code="number", params={"label": label, "v": value})
    number *= factor
    if number < 0 and not allow_negative:
        raise ValidationError(
            "%(label)s不能为负数：%(v)s", code="negative", params={"label": label, "v": value}
        )
    if abs(number) >= _MAX_NUMBER:
        raise ValidationError(
            "%(label)s数值过大：%(v)s", code="too_large", params={"label": label, "v": value}
        )
    return number


_TRUE = {"1", "是", "true", "yes", "y", "首次", "首次认定", "t"}
_FALSE = {"0", "否", "false", "no", "n", "f", "非首次", "重新认定"}


def parse_flag(value: Any, *, label: str) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError("%(label)s应为“是”或“否”：%(v)s", code="flag", params={"label": label, "v": value})


_TAG_SPLIT = re.compile(r"[;；\n]+")


def parse_tags_text(text: str) -> list[dict]:
    """The file form of tags: ``名称[|认定日期[|有效期至[|首次认定]]]`` separated by ``;``.

    e.g. ``高新技术企业|2023-11-02|2026-11-01|是;科技型中小企业``.
    """
    items = []
    for part in _TAG_SPLIT.split(_text(text)):
        part = part.strip()
        if not part:
            continue
        bits = [b.strip() for b in part.split("|")]
        items.append(
            {
                "name": bits[0],
                "recognized_on": bits[1] if len(bits) > 1 else None,
                "expires_on": bits[2] if len(bits) > 2 else None,
                "first_time": bits[3] if len(bits) > 3 else None,
            }
        )
    return items


def tags_to_text(tags: list[dict]) -> str:
    parts = []
    for t in tags:
        bits = [t["name"], _iso(t.get("recognized_on")), _iso(t.get("expires_on")),
                {True: "是", False: "否"}.get(t.get("first_time"), "")]  # fmt: skip
        while bits and not bits[-1]:
            bits.pop()
        parts.append("|".join(bits))
    return ";".join(parts)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else (value or "")


def clean_tags(value: Any, *, vocabulary: Vocabulary, errors: dict[str, list[str]]) -> list[dict]:
    items: list[Any]
    if isinstance(value, str):
        items = parse_tags_text(value)
    else:
        items = list(value or [])
    cleaned: dict[int, dict] = {}
    for item in items:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or _blank(item.get("name")):
            errors.setdefault("tags", []).append(f"资质标签格式不正确：{item}")
            continue
        name = _text(item["name"])
        tag_id = vocabulary.tag_id(name)
        if tag_id is None:
            errors.setdefault("tags", []).append(
                f"未知的资质标签：{name}（不在标签词表中，请先在词表中添加）"
            )
            continue
        if tag_id in vocabulary.derived_tag_ids:
            errors.setdefault("tags", []).append(
                f"{name}是系统画像标签，由门户根据企业数据计算，不能由数据源提供"
            )
            continue
        try:
            recognized_on = parse_date(item.get("recognized_on"), label=f"{name}的认定日期")
            expires_on = parse_date(item.get("expires_on"), label=f"{name}的有效期")
            first_time = parse_flag(item.get("first_time"), label=f"{name}的首次认定")
        except ValidationError as exc:
            errors.setdefault("tags", []).extend(_messages(exc))
            continue
        if recognized_on and expires_on and expires_on < recognized_on:
            errors.setdefault("tags", []).append(f"{name}的有效期早于认定日期")
            continue
        cleaned[tag_id] = {"tag_id": tag_id, "name": name, "recognized_on": recognized_on,
                           "expires_on": expires_on, "first_time": first_time}  # fmt: skip
    return list(cleaned.values())


_PERIOD_SHAPES = {"none": "不分期（期间留空）", "year": "年度（如 2024）", "half": "半年（如 2024H1）",
                  "quarter": "季度（如 2024Q2）", "month": "月度（如 2024-05）"}  # fmt: skip


def _indicator_spec(vocabulary: Vocabulary, code: Any, period: Any) -> tuple[dict, str, Any, Any]:
    """(definition, period, period_start, period_end) for an indicator column; cached per batch."""
    key = (code, period)
    cache = vocabulary.__dict__.setdefault("_spec_cache", {})
    if key in cache:
        return cache[key]
    text = vocabulary.indicator_code(_text(code))
    field_spec = vocabulary.indicators.get(text)
    if field_spec is None or text not in vocabulary.indicator_ids:
        raise ValidationError(
            "未知的指标代码：%(c)s（请先在指标定义中添加）", code="unknown_indicator", params={"c": text}
        )
    normal = normalize_period(period)
    periodicity = field_spec.periodicity
    if period_kind(normal) != ("" if periodicity == "none" else periodicity):
        raise ValidationError(
            "%(label)s的期间应为%(shape)s：%(p)s", code="period",
            params={"label": field_spec.name, "shape": _PERIOD_SHAPES[periodicity], "p": normal or "（空）"},
        )  # fmt: skip
    start, end = period_bounds(normal)
    definition = {"id": vocabulary.indicator_ids[text], "code": text, "type": field_spec.type,
                  "periodicity": periodicity, "name": field_spec.name}  # fmt: skip
    spec = (definition, normal, start, end)
    if len(cache) < 10_000:
        cache[key] = spec
    return spec


def clean_indicator_value(
    *, code: str, period: Any, value: Any, vocabulary: Vocabulary, as_of: Any = None, source: str = ""
) -> dict:
    """One indicator value → the stored form; raises ValidationError (Chinese)."""
    definition, period, start, end = _indicator_spec(vocabulary, code, period)
    label = definition["name"]
    kind = definition["type"]
    number: Decimal | None = None
    text_value = ""
    if kind == "code":
        text_value = _text(value)[:60]
    elif kind == "flag":
        flag = parse_flag(value, label=label)
        number = None if flag is None else Decimal(int(flag))
    else:
        number = parse_decimal(value, label=label, money=kind == "money", allow_negative=kind == "percent")
    return {
        "indicator_id": definition["id"], "code": definition["code"], "period": period, "period_start": start,
        "period_end": end, "value": number, "text_value": text_value,
        "as_of": parse_date(as_of, label="数据日期") if as_of else None, "source": _text(source)[:60] if source else "",
    }  # fmt: skip


def clean_indicators(value: Any, *, vocabulary: Vocabulary, errors: dict[str, list[str]]) -> list[dict]:
    """``{"revenue": {"2024": "12000000"}}`` or ``[{"code", "period", "value", "as_of"?, "source"?}]``."""
    items: list[dict] = []
    if isinstance(value, dict):
        for code, periods in value.items():
            if not isinstance(periods, dict):
                periods = {"": periods}
            for period, v in periods.items():
                items.append({"code": code, "period": period, "value": v})
    elif isinstance(value, list | tuple):
        items = list(value)
    elif value is not None:
        errors.setdefault("indicators", []).append("指标格式不正确")
        return []
    cleaned: dict[tuple, dict] = {}
    for item in items:
        code = item.get("code") or item.get("indicator")
        key = f"indicators.{code}" + (f".{item.get('period')}" if item.get("period") else "")
        try:
            one = clean_indicator_value(
                code=code, period=item.get("period", ""), value=item.get("value"), vocabulary=vocabulary,
                as_of=item.get("as_of"), source=item.get("source", ""),
            )  # fmt: skip
        except ValidationError as exc:
            errors.setdefault(key, []).extend(_messages(exc))
            continue
        if one["value"] is None and one["text_value"] == "":
            continue  # blank cell: unknown, nothing to store
        cleaned[(one["indicator_id"], one["period"])] = one
    return list(cleaned.values())


def record_clean(data: dict, *, vocabulary: Vocabulary, creating: bool | None = None) -> CleanRecord:
    """Validate one record. ``creating`` True requires name and district (a new enterprise);
    None means "required if the keys are present". Raises ``RecordInvalid``."""
    errors: dict[str, list[str]] = {}
    check = None
    try:
        check = reference.validate_credit_code(data.get("credit_code") or "")
    except ValidationError as exc:
        errors["credit_code"] = _messages(exc)
    core: dict[str, Any] = {}
    for name in CORE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        try:
            core[name] = _clean_core(name, value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(_messages(exc))
    if creating:
        for name in ("name", "district"):
            if _blank(data.get(name)) and name not in errors:
                errors.setdefault(name, []).append(f"{FIELD_LABELS[name]}不能为空")
    else:
        for name in ("name", "district"):
            if name in data and _blank(data[name]) and name not in errors:
                errors.setdefault(name, []).append(f"{FIELD_LABELS[name]}不能为空")
    tags = None
    if "tags" in data and data["tags"] is not None:
        tags = clean_tags(data["tags"], vocabulary=vocabulary, errors=errors)
    indicators = clean_indicators(data.get("indicators"), vocabulary=vocabulary, errors=errors)
    if errors:
        raise RecordInvalid(errors)
    assert check is not None
    return CleanRecord(
        credit_code=check.code,
        entity_type=check.entity_type,
        needs_review=not check.org_code_ok,
        review_reason="" if check.org_code_ok else "组织机构代码校验位（第17位）不符，请人工核验",
        core=core,
        tags=tags,
        indicators=indicators,
    )


def _clean_core(name: str, value: Any) -> Any:
    label = FIELD_LABELS[name]
    if name == "district":
        return "" if _blank(value) else reference.normalize_district(value)
    if name == "zone":
        return reference.normalize_zone(value)
    if name == "industry":
        return "" if _blank(value) else reference.normalize_industry(_text(value), allow_section=False)
    if name == "established_on":
        parsed = parse_date(value, label=label)
        if parsed and parsed > timezone.localdate():
            raise ValidationError("成立日期不能晚于今天：%(v)s", code="future", params={"v": value})
        return parsed
    if name == "registered_capital":
        return parse_decimal(value, label=label, money=True)
    text = _text(value)
    if len(text) > MAX_LENGTHS[name]:
        raise ValidationError(
            "%(label)s过长（最多%(n)d个字符）",
            code="too_long",
            params={"label": label, "n": MAX_LENGTHS[name]},
        )
    if name == "contact_email" and text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError("联系邮箱格式不正确：%(v)s", code="email", params={"v": value}) from None
    if name == "contact_phone" and text and not re.fullmatch(r"\+?[\d\- ()]{5,20}", text):
        raise ValidationError("联系电话格式不正确", code="phone")
    return text
