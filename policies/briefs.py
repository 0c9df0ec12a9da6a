"""Published policies as plain values, cached per process: what evaluating every policy on
one profile needs (the calculator, the eligibility API, 我的政策), without re-reading
2,000 criteria trees on each request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils import timezone

from matching.criteria.award_kind import award_kind

from .models import WINDOW_OPEN, Policy, PolicyStatus, application_closed, application_window, validity_covers


@dataclass(frozen=True)
class PolicyBrief:
    """A published policy's matching-relevant fields; asks the rules of ``policies.models``."""

    id: int
    title: str
    department: str
    benefit_type: str
    criteria: dict
    award: dict | None
    auto_grant: bool
    exclusive_group: str
    apply_start: dt.date | None
    apply_end: dt.date | None
    version: int
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    award_basis: str = ""

    @property
    def award_kind(self) -> str | None:
        """``Policy.award_kind``: 定额 / 按比例 / 分档 / 最高不超过 / 评审择优, None without an award."""
        return award_kind(self.award, self.award_basis)

    def window(self, on: dt.date | None = None) -> str:
        return application_window(self.apply_start, self.apply_end, on or timezone.localdate())

    def is_open(self, on: dt.date | None = None) -> bool:
        """Published (every brief is) and within the application window: ``Policy.is_open``."""
        return self.window(on) == WINDOW_OPEN

    def is_closed(self, on: dt.date | None = None) -> bool:
        return application_closed(
            auto_grant=self.auto_grant, apply_end=self.apply_end, on=on or timezone.localdate()
        )

    def in_force(self, on: dt.date) -> bool:
        return validity_covers(self.valid_from, self.valid_until, on)


_briefs: dict[str, Any] = {"key": None, "items": []}


def _published():
    return Policy.objects.filter(status=PolicyStatus.PUBLISHED)


def policies_published_briefs() -> list[PolicyBrief]:
    """All published policies as plain values. One cheap aggregate query checks whether the
    process's copy is current; the trees are re-read only when a policy changed."""
    key = _published().aggregate(n=Count("id"), t=Max("updated_at"), v=Sum("version"))
    if _briefs["key"] != key:
        rows = (
            _published()
            .select_related("department")
            .only(
                "id",
                "title",
                "department__name",
                "benefit_type",
                "criteria",
                "award",
                "award_basis",
                "auto_grant",
                "exclusive_group",
                "apply_start",
                "apply_end",
                "version",
                "valid_from",
                "valid_until",
            )
        )
        _briefs["items"] = [
            PolicyBrief(
                id=p.id,
                title=p.title,
                department=p.department.name,
                benefit_type=p.benefit_type,
                criteria=p.criteria or {},
                award=p.award,
                award_basis=p.award_basis,
                auto_grant=p.auto_grant,
                exclusive_group=p.exclusive_group,
                apply_start=p.apply_start,
                apply_end=p.apply_end,
                version=p.version,
                valid_from=p.valid_from,
                valid_until=p.valid_until,
            )
            for p in rows
        ]
        _briefs["key"] = key
    return _briefs["items"]


def policies_fingerprint() -> str:
    """Identifies the set of published policies last loaded by ``policies_published_briefs``
    (no query of its own: call it after that)."""
    key = _briefs["key"] or {}
    stamp = key.get("t").isoformat() if key.get("t") else ""
    return f"{key.get('n')}:{stamp}:{key.get('v')}"


def briefs_reset() -> None:
    """Forget the process's copy (tests whose rolled-back policies reuse ids)."""
    _briefs.update({"key": None, "items": []})
