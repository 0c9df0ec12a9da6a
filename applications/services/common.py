from __future__ import annotations

import secrets
from datetime import date, datetime

from django.utils import timezone


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def make_reference(prefix: str, moment: datetime) -> str:
    return f"{prefix}{timezone.localtime(moment):%Y%m%d}{secrets.token_hex(4).upper()}"
