"""Database → ``Profile`` for the criteria engine (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from enterprises.models import Enterprise, EnterpriseTag, IndicatorValue
from matching.criteria.profile import Profile, TagHolding


def _profile(e: Enterprise) -> Profile:
    return Profile(
        id=e.pk,
        credit_code=e.credit_code,
        name=e.name,
        entity_type=e.entity_type or None,
        district=e.district or "",
        zone=e.zone or "",
        industry=e.industry or "",
        established_on=e.established_on,
        registered_capital=e.registered_capital,
        scale=e.scale or None,
    )


def _indicator_value(row) -> Decimal | str | None:
    if row["value"] is not None:
        return Decimal(row["value"])
    if row["text_value"]:
        return row["text_value"]
    return None


def profiles_load(ids: Iterable[int] | None = None, *, queryset=None) -> dict[int, Profile]:
    """Profiles of many enterprises in three queries (enterprises, tags, indicator values)."""
    if queryset is None:
        queryset = Enterprise.objects.filter(pk__in=list(ids or []))
    profiles = {e.pk: _profile(e) for e in queryset}
    if not profiles:
        return profiles
    keys = list(profiles)
    for row in EnterpriseTag.objects.filter(enterprise_id__in=keys).values(
        "enterprise_id", "tag__name", "recognized_on", "expires_on", "first_time"
    ):
        profiles[row["enterprise_id"]].tags[row["tag__name"]] = TagHolding(
            row["recognized_on"], row["expires_on"], row["first_time"]
        )
    for row in IndicatorValue.objects.filter(enterprise_id__in=keys).values(
        "enterprise_id", "indicator__code", "period", "value", "text_value"
    ):
        value = _indicator_value(row)
        if value is not None:
            profiles[row["enterprise_id"]].indicators.setdefault(row["indicator__code"], {})[
                row["period"]
            ] = value
    return profiles


def profile_load(enterprise: int | Enterprise, *, as_of: date | None = None) -> Profile:
    """One enterprise's profile (three queries). ``as_of`` is accepted for symmetry: the profile
    holds every period; the evaluator resolves periods against its own ``as_of``."""
    pk = enterprise.pk if isinstance(enterprise, Enterprise) else int(enterprise)
    profiles = profiles_load([pk])
    if pk not in profiles:
        raise Enterprise.DoesNotExist(f"enterprise {pk} does not exist")
    return profiles[pk]
