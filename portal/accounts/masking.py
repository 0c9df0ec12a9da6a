"""Masking of personal data (contact phone, e-mail, ID numbers).

Pages, the API and exports show personal data masked (``138****5678``) unless the viewer
holds ``enterprises.view_personal_data``. Log lines are masked by
``portal.logging.MaskPersonalDataFilter`` regardless of who is logged in.
"""

from __future__ import annotations

import re
from typing import Any

PERSONAL_DATA_PERMISSION = "enterprises.view_personal_data"

_DIGITS = re.compile(r"\d")


def mask_phone(value: str | None) -> str:
    """``"13812345678"`` → ``"138****5678"``; landlines keep the area code and the last 4 digits.

    Anything too short to mask meaningfully is fully starred so nothing leaks.
    """
    if not value:
        return ""
    raw = str(value).strip()
    compact = re.sub(r"[\s-]", "", raw)
    prefix = ""
    if compact.startswith("+86"):
        prefix, compact = "+86", compact[3:]
    if len(compact) == 11 and compact.startswith("1") and compact.isdigit():
        return f"{prefix}{compact[:3]}****{compact[-4:]}"
    if len(compact) >= 7:
        keep_head = 4 if compact.startswith("0") else 3
        keep_head = min(keep_head, len(compact) - 4 - 3)
        keep_head = max(keep_head, 0)
        middle = len(compact) - keep_head - 4
        return f"{prefix}{compact[:keep_head]}{'*' * middle}{compact[-4:]}"
    return "*" * len(compact)


def mask_email(value: str | None) -> str:
    """``"zhang.san@example.com"`` → ``"z***@example.com"``."""
    if not value:
        return ""
    raw = str(value).strip()
    local, sep, domain = raw.rpartition("@")
    if not sep or not local:
        return "*" * len(raw)
    return f"{local[0]}***@{domain}"


def mask_id_number(value: str | None) -> str:
    """Resident ID (18 chars) → first 6 and last 4 kept: ``"410105********123X"``.

    Other identifiers (passport numbers, 15-digit IDs) keep the first and last 2 characters.
    """
    if not value:
        return ""
    raw = str(value).strip()
    if len(raw) == 18:
        return f"{raw[:6]}{'*' * 8}{raw[-4:]}"
    if len(raw) > 4:
        return f"{raw[:2]}{'*' * (len(raw) - 4)}{raw[-2:]}"
    return "*" * len(raw)


def mask_name(value: str | None) -> str:
    """A personal name: ``"张三丰"`` → ``"张**"``."""
    if not value:
        return ""
    raw = str(value).strip()
    return raw[0] + "*" * (len(raw) - 1) if len(raw) > 1 else "*"


def can_see_personal_data(user: Any) -> bool:
    """True when ``user`` may see unmasked personal data (permission or superuser)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    return bool(user.has_perm(PERSONAL_DATA_PERMISSION))


def masked_for(user: Any, value: str | None, *, kind: str = "phone") -> str:
    """Return ``value`` as is for a permitted viewer, else masked according to ``kind``
    (``phone``, ``email``, ``id_number``, ``name``)."""
    if can_see_personal_data(user):
        return value or ""
    return MASKERS[kind](value)


MASKERS = {"phone": mask_phone, "email": mask_email, "id_number": mask_id_number, "name": mask_name}


def mask_any(value: str | None) -> str:
    """Mask a value of unknown kind (used for audit-log diffs): e-mail, ID number or phone."""
    if not value:
        return ""
    raw = str(value)
    if "@" in raw:
        return mask_email(raw)
    if len(raw.strip()) == 18 and raw.strip()[:17].isdigit():
        return mask_id_number(raw)
    return mask_phone(raw)
