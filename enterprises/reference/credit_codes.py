"""Unified social credit code (GB 32100-2015): normalise, validate, make."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc

from .common import load

_DASHES = "-‐‑‒–—―－﹣−"
_STRIP_RE = re.compile(r"[\s" + re.escape(_DASHES) + r"]+", re.UNICODE)


@dataclass(frozen=True)
class CreditCodeCheck:
    code: str
    entity_type: str
    # False when the organisation-code check character (position 17, GB 11714) does not
    # hold: the code is kept but the record is flagged for an official's review.
    org_code_ok: bool


def normalize_credit_code(raw: str) -> str:
    """Full-width → half-width (NFKC), upper-case, drop all white space (U+3000 too) and dashes."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return _STRIP_RE.sub("", text).upper()


@lru_cache(maxsize=1)
def _uscc_structure() -> dict:
    return load("uscc_structure.json")


def _alphabet() -> str:
    return _uscc_structure()["alphabet"]


def _authority_codes() -> set[str]:
    return set(_uscc_structure()["parts"][0]["values"])


def org_code_check_char(body: str) -> str:
    """GB 11714 check character for the 8-character organisation-code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = 0
    for ch, w in zip(body, weights, strict=True):
        value = int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10
        total += value * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character (position 18), computed by python-stdnum."""
    return uscc.calc_check_digit(first17)


def entity_type_for(code: str) -> str:
    """DESIGN §3: the entity type from the first two characters of the credit code."""
    prefix = code[:2]
    if prefix == "11":
        return "government"
    if prefix == "12":
        return "public_institution"
    if prefix in {"51", "52", "53"}:
        return "social_organisation"
    return {"91": "enterprise", "92": "individual_business", "93": "farmer_cooperative"}.get(prefix, "other")


def validate_credit_code(code: str) -> CreditCodeCheck:
    """Validate a credit code to GB 32100-2015 (normalising it first).

    python-stdnum checks the final character but rejects codes whose registration
    authority (position 1) is a letter (A, N, Y), which the standard allows: for those
    the format is checked here and the check character still comes from stdnum.
    """
    code = normalize_credit_code(code)
    if not code:
        raise ValidationError(_("统一社会信用代码不能为空"), code="required")
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，实际为%(n)d位：%(code)s"),
            code="length",
            params={"n": len(code), "code": code},
        )
    alphabet = _alphabet()
    bad = sorted({c for c in code if c not in alphabet})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（%(chars)s；不使用I、O、Z、S、V）：%(code)s"),
            code="charset",
            params={"chars": "".join(bad), "code": code},
        )
    if code[0] not in _authority_codes():
        raise ValidationError(
            _("统一社会信用代码第1位（登记管理部门代码）无效：%(code)s"),
            code="authority",
            params={"code": code},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第3-8位（行政区划码）应为数字：%(code)s"), code="region", params={"code": code}
        )
    try:
        if code[0].isdigit():
            uscc.validate(code)
        elif code[-1] != uscc_check_char(code[:17]):
            raise stdnum_exceptions.InvalidChecksum()
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码校验位（第18位）不正确：%(code)s"), code="checksum", params={"code": code}
        ) from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("统一社会信用代码格式不正确：%(code)s"), code="format", params={"code": code}
        ) from None
    body = code[8:16]
    org_ok = all(c.isdigit() or "A" <= c <= "Z" for c in body) and code[16] == org_code_check_char(body)
    return CreditCodeCheck(code=code, entity_type=entity_type_for(code), org_code_ok=org_ok)


def credit_code_make(first17: str) -> str:
    """Complete a 17-character prefix with its check character (for synthetic data and tests)."""
    return first17 + uscc_check_char(first17)


def credit_code_from_parts(*, prefix: str, region: str, org_body: str) -> str:
    """Build a valid code from its parts: 2-char prefix, 6-digit region, 8-char organisation body."""
    first17 = prefix + region + org_body + org_code_check_char(org_body)
    return credit_code_make(first17)
