"""Webhook subscriptions: the writes (the API validates the request and calls these; the
pipeline signs and delivers, ``matching.pipeline.deliver``).

A URL is checked when it is registered or changed (``webhook_url_check``): its host must
resolve to public addresses only (``matching.channels.webhook.target_resolve``, the same check
every delivery makes again). A name that does not resolve yet is accepted: it cannot point
anywhere now, and each delivery resolves it afresh.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from matching.channels.webhook import TargetRefused, TargetUnresolved, target_resolve
from matching.models import WebhookSubscription


def webhook_url_check(url: str) -> None:
    """Raises ``ValidationError({"url": …})`` when the portal will not post to ``url``."""
    try:
        target_resolve(url)
    except TargetRefused as exc:
        raise ValidationError({"url": [exc.message]}) from None
    except TargetUnresolved:
        pass


@transaction.atomic
def webhook_subscription_create(
    *, owner, url: str, events: list[str] | None = None, enterprise=None, active: bool = True
) -> WebhookSubscription:
    webhook_url_check(url)
    return WebhookSubscription.objects.create(
        owner=owner, url=url, events=sorted(set(events or [])), enterprise=enterprise, active=active
    )


@transaction.atomic
def webhook_subscription_update(*, subscription: WebhookSubscription, **changes) -> WebhookSubscription:
    allowed = {"url", "events", "enterprise", "active"}
    if "url" in changes:
        webhook_url_check(changes["url"])
    for field, value in changes.items():
        if field in allowed:
            setattr(subscription, field, sorted(set(value)) if field == "events" else value)
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    subscription.delete()
