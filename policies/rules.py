"""The policy library's side of the criteria language: validation before saving,
readable renderings for officials, and the facets derived from a tree.

Everything about the language itself lives in ``matching.criteria``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from matching.criteria import CriteriaError, render, validate, validate_award, vocabulary_load

ALL = "all"


def criteria_clean(tree: Any, *, vocabulary=None) -> dict:
    """The normalised tree, or ``ValidationError({"criteria": ["<path>: <reason>", …]})``."""
    if tree in (None, ""):
        tree = {}
    if not isinstance(tree, dict):
        raise ValidationError({"criteria": ['criteria: 申报条件必须是 JSON 对象（例如 {"all": [...]}）。']})
    vocabulary = vocabulary if vocabulary is not None else vocabulary_load()
    try:
        return validate(tree, vocabulary=vocabulary)
    except CriteriaError as exc:
        raise ValidationError({"criteria": _messages(exc, "criteria")}) from None


def award_clean(award: Any, *, vocabulary=None) -> dict | None:
    """The normalised award (``None`` for no award), or ``ValidationError({"award": [...]})``."""
    if award in (None, "", {}):
        return None
    if not isinstance(award, dict):
        raise ValidationError({"award": ['award: 奖补金额必须是 JSON 对象（例如 {"amount": "300000"}）。']})
    vocabulary = vocabulary if vocabulary is not None else vocabulary_load()
    try:
        return validate_award(award, vocabulary=vocabulary)
    except CriteriaError as exc:
        raise ValidationError({"award": _messages(exc, "award")}) from None


def _messages(exc: Exception, root: str) -> list[str]:
    errors = getattr(exc, "errors", None) or [{"path": root, "message": str(exc)}]
    out = []
    for err in errors:
        path = err.get("path") or root
        out.append(f"{path}: {err.get('message', '')}")
    return out


def criteria_errors(tree: Any, award: Any = None) -> list[dict]:
    """Validation errors as ``[{"field", "path", "message"}]`` (empty when both are valid)."""
    out: list[dict] = []
    for field, clean, value in (("criteria", criteria_clean, tree), ("award", award_clean, award)):
        try:
            clean(value)
        except ValidationError as exc:
            for msg in exc.message_dict.get(field, []):
                path, _, message = msg.partition(": ")
                out.append({"field": field, "path": path, "message": message})
    return out


# --- readable renderings --------------------------------------------------------------


def criteria_text(tree: dict | None, *, language: str = "zh-hans") -> str:
    if not tree or tree == {"all": []}:
        return "不限（所有企业）" if language.startswith("zh") else "everyone"
    try:
        vocabulary_load()  # makes the renderer name officials' own indicators (remember_labels)
        return render(tree, language=language)
    except Exception:  # noqa: BLE001 - a stored tree that no longer renders is shown raw
        return str(tree)


def criteria_lines(tree: dict | None) -> list[str]:
    """One line per top-level condition, so that a line diff shows what changed."""
    if not tree or tree == {"all": []}:
        return [criteria_text(tree)]
    if set(tree) == {"all"} and isinstance(tree["all"], list):
        return [criteria_text(child) for child in tree["all"]]
    return [criteria_text(tree)]


_NAME = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)(?:@([A-Za-z0-9_-]+))?")
_FUNCTIONS = {"min": "较小值", "max": "较大值", "floor": "向下取整", "ceil": "向上取整", "round": "四舍五入"}
_PERIODS = {"last_year": "上年度", "this_year": "本年度", "latest": "最近一期"}


_NUMBER = r"\d+(?:\.\d+)?"
_TERM = rf"(?:{_NUMBER}\s*\*\s*[A-Za-z_][\w@-]*|[A-Za-z_][\w@-]*\s*\*\s*{_NUMBER})"


def amount_text(expression: Any) -> str:
    """An amount expression as an enterprise reads it, in the pages' one money format:
    ``500000`` → ``50万元``; ``0.3 * rd_expense@last_year`` → ``上年度研发费用的30%``;
    ``min(0.1 * rd_expense@last_year, 500000)`` → ``上年度研发费用的10%，最高50万元``;
    any other shape with indicator names in Chinese (``较大值(…)``)."""
    text = str(expression if expression is not None else "").strip()
    if re.fullmatch(_NUMBER, text):
        return _money(text)
    if re.fullmatch(_TERM, text):
        return _share_text(text)
    capped = re.fullmatch(rf"min\(\s*({_TERM})\s*,\s*({_NUMBER})\s*\)", text) or re.fullmatch(
        rf"min\(\s*({_NUMBER})\s*,\s*({_TERM})\s*\)", text
    )
    if capped:
        term, cap = capped.groups() if "*" in capped.group(1) else capped.groups()[::-1]
        return f"{_share_text(term)}，最高{_money(cap)}"
    return _expression_text(text)


def _money(number: str) -> str:
    from portal.web.templatetags.web_tags import yuan  # the one money format of the pages

    return yuan(number)


def _share_text(term: str) -> str:
    """``0.1 * rd_expense@last_year`` → ``上年度研发费用的10%``."""
    left, right = (part.strip() for part in term.split("*", 1))
    rate, name = (left, right) if re.fullmatch(_NUMBER, left) else (right, left)
    percent = (
        f"{Decimal(rate) * 100:f}".rstrip("0").rstrip(".") if "." in rate else f"{Decimal(rate) * 100:f}"
    )
    return f"{_expression_text(name)}的{percent}%"


def _expression_text(text: str) -> str:
    try:
        vocabulary = vocabulary_load()
    except Exception:  # noqa: BLE001 - a label is never worth failing a page
        vocabulary = None

    def name(m: re.Match) -> str:
        code, period = m.group(1), m.group(2)
        if code in _FUNCTIONS:
            return code
        spec = vocabulary.field(code) if vocabulary is not None else None
        label = spec.name if spec is not None else code
        when = _PERIODS.get(period or "", f"{period}期" if period else "")
        return f"{when}{label}"

    return _NAME.sub(name, text).replace("*", "×").replace("/", "÷")


def award_lines(award: dict | None) -> list[str]:
    if not award:
        return ["（无奖补金额）"]
    lines = []
    if "amount" in award:
        lines.append(f"金额：{amount_text(award['amount'])}")
    for i, case in enumerate(award.get("cases") or [], start=1):
        when = case.get("when") or {}
        cond = criteria_text(when) if when and when != {"all": []} else "其他情形"
        lines.append(f"情形{i}：{cond} → {amount_text(case.get('amount'))}")
    if award.get("cap") not in (None, ""):
        lines.append(f"上限：{amount_text(award['cap'])}")
    return lines


def award_text(award: dict | None) -> str:
    return "；".join(award_lines(award))


# --- facets ---------------------------------------------------------------------------

_CODE_OPS = {"within", "in", "="}


def _restriction(node: Any, fields: tuple[str, ...]) -> set[str] | None:
    """Codes a node restricts ``fields`` to (None: no restriction)."""
    if not isinstance(node, dict):
        return None
    if "all" in node:
        sets = [s for s in (_restriction(c, fields) for c in node.get("all") or []) if s is not None]
        # the narrowest: fewest codes, then the most specific ones
        return min(sets, key=lambda s: (len(s), -min(len(c) for c in s))) if sets else None
    if "any" in node:
        children = [_restriction(c, fields) for c in node.get("any") or []]
        if children and all(s is not None for s in children):
            return set().union(*children)
        return None
    if "not" in node:
        return None
    if node.get("field") in fields and node.get("op") in _CODE_OPS:
        value = node.get("value")
        values = value if isinstance(value, list) else [value]
        return {str(v) for v in values if v not in (None, "")}
    return None


def criteria_facets(tree: dict | None) -> tuple[list[str], list[str]]:
    """(industries, districts) a tree admits: ``["all"]`` when it does not restrict.
    Functional zones count as districts for faceting."""
    industries = _restriction(tree or {}, ("industry",))
    districts = _restriction(tree or {}, ("district", "zone"))
    return (sorted(industries) if industries else [ALL], sorted(districts) if districts else [ALL])


# --- necessary conditions (for pre-filtering set-based queries) -----------------------------


def required_tag_sets(tree: dict | None) -> list[set[str]]:
    """Sets of tag names of which an enterprise must hold at least one for the tree to be
    anything but "not eligible" (a tag condition is false without a holding of its tag,
    whatever its date options). Used to narrow the reach preview's scan with a hashed
    semi-join before the per-row evaluation."""

    def need(node: Any) -> list[set[str]] | None:
        if not isinstance(node, dict):
            return None
        if "all" in node:
            out: list[set[str]] = []
            for child in node.get("all") or []:
                out.extend(need(child) or [])
            return out
        if "any" in node:
            children = [need(c) for c in node.get("any") or []]
            if not children or any(not c for c in children):
                return None
            # each child needs one of its own sets; the union of the first sets is necessary
            return [set().union(*(c[0] for c in children))]
        if node.get("field") == "tags":
            value = node.get("value")
            names = [value] if isinstance(value, str) else list(value or [])
            if node.get("op") == "has" or node.get("op") == "has_any":
                return [set(names)] if names else None
            if node.get("op") == "has_all":
                return [{n} for n in names]
        return None

    return need(tree or {}) or []
