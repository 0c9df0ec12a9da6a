"""The registry's periods: an indicator value's period as the registry stores it, and the
days it covers (``IndicatorValue.period_start/period_end``, which the compiled SQL reads).

The parsing is ``matching.criteria.periods`` (the one period parser); this module adds the
registry's refusal of a malformed period. It sits above the criteria package, which reads
``enterprises.reference``: so this is not in the reference package, and the import is at the top.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enterprises.reference.common import clean_text
from matching.criteria.periods import period_bounds as criteria_period_bounds
from matching.criteria.periods import period_normalize


def normalize_period(value: Any) -> str:
    """ "2024", "2024H1", "2024Q2", "2024-05" or "" (no periodicity); raises ValidationError."""
    period = period_normalize(
        value if isinstance(value, str | int | float) or value is None else clean_text(value)
    )
    if period is None:
        raise ValidationError(
            _("期间格式不正确：%(v)s（应为 2024、2024H1、2024Q2 或 2024-05）"),
            code="invalid",
            params={"v": value},
        )
    return period


def period_bounds(period: str) -> tuple[date | None, date | None]:
    """First and last day of a period; (None, None) for "" (an indicator without periodicity)."""
    return criteria_period_bounds(normalize_period(period))
