"""Reasons and missing data of stored matches, explained on read.

The set-based run stores who matches, not why: the why is the criteria engine's
evaluation of the policy's tree on the enterprise's profile (one profile load per
request, one in-memory evaluation per row of the page).
"""

from __future__ import annotations

from django.utils import timezone


def _jsonable(item):
    if isinstance(item, dict | str | int | float) or item is None:
        return item
    if hasattr(item, "__dict__"):
        return {k: (v if isinstance(v, str | int | float | bool) or v is None else str(v)) for k, v in vars(item).items()}
    return str(item)


def matches_explained(*, enterprise_id: int, matches) -> list[dict]:
    from matching import criteria
    from matching.profiles import profile_load

    matches = list(matches)
    if not matches:
        return []
    profile = profile_load(enterprise_id)
    today = timezone.localdate()
    rows = []
    for match in matches:
        policy = match.policy
        evaluation = criteria.evaluate(policy.criteria or {}, profile, as_of=today)
        missing = match.missing if match.missing else [_jsonable(m) for m in (evaluation.missing or [])]
        rows.append(
            {
                "policy": match.policy_id,
                "title": policy.title,
                "status": match.status,
                "amount": match.amount,
                "reasons": [str(r) for r in (evaluation.reasons or [])],
                "missing": missing if match.status == "possible" else [],
                "matched_at": match.matched_at,
            }
        )
    return rows
