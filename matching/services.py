"""Writes of the matching pipeline (DESIGN §5).

Entry points other parts call:

- ``policy_matching_schedule(policy_id=..., reason=...)`` from the policy services
  when a policy is published, revised, withdrawn or expires (``policies_matching_schedule``
  for many at once: the yearly rebuild);
- ``enterprise_rematch_schedule(enterprise_ids=[...])`` from the registry services
  whenever a profile changes.

Both record the request durably in the caller's transaction (a ``MatchRun`` row or
a ``RematchRequest`` row) and enqueue the Celery task on commit, so that a broker
that is down delays the work but loses none: the repair task picks up what was
never started.
"""

from __future__ import annotations

from matching.pipeline.notify import (
    channel_preferences_set,
    notification_mark_read,
    notifications_mark_all_read,
    unsubscribe_by_token,
)
from matching.pipeline.schedule import (
    enterprise_rematch_schedule,
    policies_matching_schedule,
    policy_matching_schedule,
)

__all__ = [
    "policy_matching_schedule",
    "policies_matching_schedule",
    "enterprise_rematch_schedule",
    "channel_preferences_set",
    "notification_mark_read",
    "notifications_mark_all_read",
    "unsubscribe_by_token",
]
