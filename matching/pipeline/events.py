"""Integrator events that are not about one enterprise's match: a policy published, revised,
withdrawn or expired, and a grant confirmed. Written as webhook ``Delivery`` rows in the
caller's transaction (the same outbox guarantee as pushes: a broker that is down delays them,
loses none), one per subscription that wants the event, idempotent by ``key``; the delivery
task is queued on commit.

Subscriptions tied to one enterprise receive that enterprise's events only (its grants);
platform-wide subscriptions (no enterprise) receive every policy event and every grant.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from matching.models import WebhookSubscription
from matching.pipeline.outbox import webhook_deliveries_create
from policies.models import Policy
from portal.links import absolute_url

POLICY_EVENTS = {
    "published": "policy.published",
    "revised": "policy.revised",
    "withdrawn": "policy.withdrawn",
    "expired": "policy.expired",
}


def webhook_event_emit(*, event: str, key: str, payload: dict, enterprise_id: int | None = None) -> int:
    """Queue ``event`` for every active subscription that wants it. Returns how many."""
    subs = WebhookSubscription.objects.filter(active=True)
    subs = (
        subs.filter(Q(enterprise__isnull=True) | Q(enterprise_id=enterprise_id))
        if enterprise_id
        else subs.filter(enterprise__isnull=True)
    )
    targets = [s for s in subs if s.wants(event)]
    if not targets:
        return 0
    body = {"event": event, "occurred_at": timezone.now().isoformat(), **payload}
    return webhook_deliveries_create(subscriptions=targets, event=event, key=key, payload=body)


def policy_event_emit(*, policy_id: int, reason: str, run_id: int) -> int:
    event = POLICY_EVENTS.get(reason)
    if event is None:
        return 0

    policy = Policy.objects.filter(pk=policy_id).select_related("department").first()
    if policy is None:
        return 0
    payload = {
        "policy": {
            "id": policy.pk,
            "title": policy.title,
            "doc_number": policy.doc_number,
            "department": policy.department.code,
            "status": policy.status,
            "version": policy.version,
            "auto_grant": policy.auto_grant,
            "apply_end": policy.apply_end.isoformat() if policy.apply_end else None,
            "url": absolute_url(policy),
        },
    }
    return webhook_event_emit(event=event, key=f"{event}:{policy_id}:run{run_id}", payload=payload)


def grant_confirmed_emit(*, grant) -> int:
    payload = {
        "grant": {
            "id": grant.pk,
            "policy": grant.policy_id,
            "credit_code": grant.enterprise.credit_code,
            "amount": str(grant.amount),
            "period": grant.period,
            "source": grant.source,
            "status": grant.status,
        },
    }
    return webhook_event_emit(
        event="grant.confirmed",
        key=f"grant.confirmed:{grant.pk}",
        payload=payload,
        enterprise_id=grant.enterprise_id,
    )
