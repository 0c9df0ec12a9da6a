"""The vocabulary officials maintain (政府资源库) beside departments: qualification tags and
indicator definitions. A new one is usable in criteria at once: ``matching.criteria.vocabulary_load``
reads afresh. The API and the admin validate their input and call these."""

from __future__ import annotations

from django.db import transaction

from .models import IndicatorDefinition, IndicatorType, Periodicity, TagDefinition


@transaction.atomic
def tag_definition_create(*, name: str, description: str = "", issuer: str = "") -> TagDefinition:
    """A qualification tag recognised by a body (高新技术企业, …). Derived (画像) tags are the
    portal's own (``matching.pipeline.profile_tags``) and are never created here."""
    tag = TagDefinition(name=name.strip(), description=description, issuer=issuer, derived=False)
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def indicator_definition_create(
    *,
    code: str,
    name: str,
    type: str = IndicatorType.NUMBER,  # noqa: A002 - the model's field name
    unit: str = "",
    periodicity: str = Periodicity.YEAR,
    description: str = "",
) -> IndicatorDefinition:
    """An indicator officials define without code changes (never a built-in one)."""
    indicator = IndicatorDefinition(
        code=code,
        name=name.strip(),
        type=type,
        unit=unit,
        periodicity=periodicity,
        description=description,
        builtin=False,
    )
    indicator.full_clean()
    indicator.save()
    return indicator
