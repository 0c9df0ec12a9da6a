"""The API's one JSON parser: besides syntax, it refuses what no field of the portal can
store or walk safely, wherever it sits in the body, with the path of the offending value:

- nesting deeper than ``MAX_DEPTH`` (Python's decoder would otherwise hit its recursion
  limit, and every recursive walker after it);
- a NUL character (PostgreSQL's text cannot hold one) or a lone UTF-16 surrogate such as
  ``"\\ud800x"`` (not a character; UTF-8 cannot encode it), in a value or in a key."""

from __future__ import annotations

import codecs
import json

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

MAX_DEPTH = 64


def _path(parent: str, key) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored as text, or None."""
    if "\x00" in text:
        return str(_("不能包含空字符(NUL, \\u0000)。"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return str(_("包含无效的 Unicode 字符(孤立的代理项，如 \\ud800)。"))
    return None


def body_problems(data) -> dict[str, list[str]]:
    """Every value (and key) of a parsed JSON body that ``text_problem`` refuses or that is
    nested deeper than ``MAX_DEPTH``, keyed by its path ("enterprises[3].name")."""
    problems: dict[str, list[str]] = {}
    stack = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                problems.setdefault(path or "non_field_errors", []).append(problem)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_DEPTH:
            problems.setdefault(path or "non_field_errors", []).append(
                str(_("嵌套超过 %(max)d 层。") % {"max": MAX_DEPTH})
            )
            continue
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            child_path = _path(path, key)
            if isinstance(key, str):
                problem = text_problem(key)
                if problem:
                    problems.setdefault(child_path.encode("utf-8", "replace").decode(), []).append(problem)
                    continue
            stack.append((child_path, child, depth + 1))
    return problems


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, plus the refusals above (400, keyed by path)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context)
        try:
            decoded = codecs.getreader(encoding)(stream)
            parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
            data = json.load(decoded, parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(_("JSON 嵌套过深(最多 %(max)d 层)。") % {"max": MAX_DEPTH}) from None
        except (ValueError, LookupError) as exc:
            raise ParseError(_("JSON 格式错误：%(error)s") % {"error": exc}) from None
        problems = body_problems(data)
        if problems:
            raise ValidationError(problems)
        return data
