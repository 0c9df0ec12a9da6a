"""The eligibility calculator of §6 in the API's shape: the domain's one eligibility service
(``matching.eligibility.eligibility_for_profile``) on a stated profile."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from matching import criteria
from matching.eligibility import eligibility_for_profile


def _missing_list(missing) -> list:
    out = []
    for item in missing or []:
        if isinstance(item, dict):
            out.append(item)
        elif hasattr(item, "__dict__"):
            out.append({k: str(v) for k, v in vars(item).items()})
        else:
            out.append(str(item))
    return out


def _unmet(near) -> dict:
    return {
        "field": getattr(near, "field", ""),
        "path": getattr(near, "path", ""),
        "needed": _text(getattr(near, "needed", None)),
        "actual": _text(getattr(near, "actual", None)),
        "text": getattr(near, "text", ""),
    }


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return value if isinstance(value, str) else str(value)


def eligibility_check(*, profile: dict, as_of: date) -> dict:
    """``{"eligible": [...], "possible": [...], "near_misses": [...]}`` for a stated profile.

    Raises ``ValidationError({"profile": [...]})`` when the profile cannot be read."""
    try:
        stated = criteria.profile_from_json(profile)
    except ValidationError as exc:
        raise ValidationError({"profile": exc.messages}) from None
    except (criteria.CriteriaError, ValueError, TypeError, AttributeError, KeyError) as exc:
        errors = getattr(exc, "errors", None)
        messages = [f"{e.get('path', '')}: {e.get('message', '')}" for e in errors] if errors else [str(exc)]
        raise ValidationError({"profile": messages}) from None

    result = eligibility_for_profile(profile=stated, as_of=as_of)
    return {
        "eligible": [
            {"policy": i.policy.id, "title": i.policy.title, "amount": i.amount, "reasons": i.reasons}
            for i in result.eligible
        ],
        "possible": [
            {"policy": i.policy.id, "title": i.policy.title, "missing": _missing_list(i.missing)}
            for i in result.possible
        ],
        "near_misses": [
            {"policy": i.policy.id, "title": i.policy.title, "unmet": [_unmet(m) for m in i.unmet]}
            for i in result.near
        ],
    }
