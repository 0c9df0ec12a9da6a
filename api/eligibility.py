"""The eligibility calculator of §6: one stated profile against every published policy.

Orchestration only: the criteria package parses the profile and evaluates the trees;
the policy library says which policies are published and active.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError


def _published_policies():
    from policies.models import Policy, PolicyStatus

    try:
        from policies.selectors import policies_published_active
    except ImportError:  # the library's selector is the source of truth once it exists
        return Policy.objects.filter(status=PolicyStatus.PUBLISHED).only("id", "title", "criteria", "award")
    return policies_published_active().only("id", "title", "criteria", "award")


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
    from matching import criteria

    try:
        stated = criteria.profile_from_json(profile)
    except ValidationError as exc:
        raise ValidationError({"profile": exc.messages}) from None
    except (criteria.CriteriaError, ValueError, TypeError, AttributeError, KeyError) as exc:
        errors = getattr(exc, "errors", None)
        messages = [f"{e.get('path', '')}: {e.get('message', '')}" for e in errors] if errors else [str(exc)]
        raise ValidationError({"profile": messages}) from None

    eligible, possible, near_misses = [], [], []
    for policy in _published_policies().order_by("id"):
        tree = policy.criteria or {}
        evaluation = criteria.evaluate(tree, stated, as_of=as_of)
        if evaluation.result == "eligible":
            amount = None
            if policy.award:
                award = criteria.award_amount(policy.award, stated, as_of=as_of)
                amount = award.amount
            eligible.append({"policy": policy.pk, "title": policy.title, "amount": amount,
                             "reasons": [str(r) for r in evaluation.reasons]})
        elif evaluation.result == "possible":
            possible.append({"policy": policy.pk, "title": policy.title, "missing": _missing_list(evaluation.missing)})
        else:
            misses = criteria.near_misses(tree, stated, as_of=as_of)
            if misses:
                near_misses.append({"policy": policy.pk, "title": policy.title, "unmet": [_unmet(m) for m in misses]})
    return {"eligible": eligible, "possible": possible, "near_misses": near_misses}
