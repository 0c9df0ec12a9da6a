"""From the outbox to the wire: plan deliveries, claim them, send, record.

- ``deliveries_plan`` gives every external-channel notification a ``Delivery``: one
  each, or one digest per (enterprise, channel) when several arrive at once and the
  enterprise has digests on (in-app rows stay individual).
- ``deliveries_send`` claims due deliveries (``select_for_update(skip_locked=True)``,
  then a conditional UPDATE to ``sending``) so two senders never send the same one,
  sends through the channel plugin and records the result and duration. A transient
  error is retried with exponential backoff; a permanent one marks the delivery
  ``failed`` with its reason, and running out of attempts marks it ``dead``; both are
  visible in the admin with a retry action.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from matching.channels import Message, TransportError, transport_for
from matching.models import (
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from matching.pipeline.messages import digest_message, single_message
from portal.links import absolute_url

logger = logging.getLogger(__name__)

PLAN_BATCH = 5000
SEND_BATCH = 50


def deliveries_plan(*, limit: int = PLAN_BATCH) -> int:
    """Plan up to ``limit`` unplanned external notifications; returns deliveries created."""
    created = 0
    while True:
        n = _plan_batch(limit=limit)
        created += n
        if n == 0:
            break
    if created:
        from matching import tasks
        from matching.pipeline.queue import enqueue_now

        enqueue_now(tasks.deliveries_send)
    return created


@transaction.atomic
def _plan_batch(*, limit: int) -> int:
    rows = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(delivery__isnull=True)
        .exclude(channel="inapp")
        .order_by("enterprise_id", "channel", "id")
        .values_list("id", "enterprise_id", "channel")[:limit]
    )
    if not rows:
        return 0
    prefs = {
        p.enterprise_id: p
        for p in ChannelPreference.objects.filter(enterprise_id__in={r[1] for r in rows})
    }
    now = timezone.now()
    groups: list[tuple[Delivery, list[int]]] = []
    for (enterprise_id, channel), items in groupby(rows, key=lambda r: (r[1], r[2])):
        ids = [r[0] for r in items]
        pref = prefs.get(enterprise_id)
        recipient = ""
        if pref is not None:
            recipient = {"email": pref.email_address, "sms": pref.sms_phone}.get(channel, "")
        if pref is not None and pref.digest and len(ids) > 1:
            groups.append((Delivery(enterprise_id=enterprise_id, channel=channel, digest=True,
                                    recipient=recipient, next_attempt_at=now), ids))
        else:
            groups.extend(
                (Delivery(enterprise_id=enterprise_id, channel=channel, recipient=recipient, next_attempt_at=now), [i])
                for i in ids
            )
    deliveries = Delivery.objects.bulk_create([g[0] for g in groups])
    for delivery, (_d, ids) in zip(deliveries, groups, strict=True):
        Notification.objects.filter(pk__in=ids).update(delivery=delivery)
    return len(deliveries)


def _claim(*, limit: int) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            # conditional: only rows still pending become ours
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    return ids


def deliveries_send(*, limit: int = SEND_BATCH, max_batches: int = 200) -> int:
    sent = 0
    for _ in range(max_batches):
        ids = _claim(limit=limit)
        if not ids:
            break
        for delivery in Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING):
            sent += delivery_send(delivery=delivery)
    return sent


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.MATCH_DELIVERY_BACKOFF_SECONDS * (2 ** max(0, attempts - 1)))


def delivery_send(*, delivery: Delivery) -> int:
    """Send one claimed delivery and record the outcome. Returns 1 when sent."""
    started = time.monotonic()
    try:
        notifications = list(
            Notification.objects.filter(delivery=delivery).select_related("policy").order_by("id")
        )
        if not notifications:
            raise TransportError("no notifications left for this delivery", retryable=False)
        message = (
            digest_message(notifications) if delivery.digest or len(notifications) > 1 else single_message(notifications[0])
        )
        pref = ChannelPreference.objects.filter(enterprise_id=delivery.enterprise_id).first()
        if pref is not None and pref.unsubscribed_at is not None:
            raise TransportError("unsubscribed", retryable=False)
        if delivery.channel == "webhook":
            _webhook_fanout(delivery=delivery, message=message)
        else:
            unsubscribe = ""
            if pref is not None:
                unsubscribe = absolute_url("matching:unsubscribe", pref.unsubscribe_token)
            transport_for(delivery.channel)(message, delivery.recipient, unsubscribe_url=unsubscribe)
    except TransportError as exc:
        _record_failure(delivery, exc, started)
        return 0
    except Exception as exc:  # a bug in a transport must not wedge the queue
        logger.exception("delivery %s crashed", delivery.pk)
        _record_failure(delivery, TransportError(f"{type(exc).__name__}: {exc}", retryable=True), started)
        return 0
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), error="",
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    return 1


def _record_failure(delivery: Delivery, exc: TransportError, started: float) -> None:
    duration = int((time.monotonic() - started) * 1000)
    if not exc.retryable:
        status, next_at = DeliveryStatus.FAILED, delivery.next_attempt_at
    elif delivery.attempts >= settings.MATCH_DELIVERY_MAX_ATTEMPTS:
        status, next_at = DeliveryStatus.DEAD, delivery.next_attempt_at
    else:
        status, next_at = DeliveryStatus.PENDING, timezone.now() + _backoff(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, next_attempt_at=next_at, error=exc.reason[:2000], duration_ms=duration
    )


@transaction.atomic
def delivery_retry(*, delivery_ids: list[int]) -> int:
    """Put failed or dead deliveries back in the queue (admin action)."""
    return Delivery.objects.filter(
        pk__in=delivery_ids, status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD]
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), error="")


# --- webhooks -------------------------------------------------------------------------


def _webhook_fanout(*, delivery: Delivery, message: Message) -> None:
    subs = list(WebhookSubscription.objects.filter(enterprise_id=delivery.enterprise_id, active=True))
    subs = [s for s in subs if s.wants("match.created")]
    if not subs:
        raise TransportError("no active webhook subscription for this enterprise", retryable=False)
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription=s, event="match.created", event_key=f"delivery:{delivery.pk}",
                            payload=message.data, next_attempt_at=now)
            for s in subs
        ],
        ignore_conflicts=True,
    )
    from matching import tasks
    from matching.pipeline.queue import enqueue_on_commit

    with transaction.atomic():
        enqueue_on_commit(tasks.webhooks_send)


def webhook_deliveries_send(*, limit: int = SEND_BATCH, max_batches: int = 100) -> int:
    from matching.channels import webhook

    sent = 0
    for _ in range(max_batches):
        now = timezone.now()
        with transaction.atomic():
            ids = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now, subscription__active=True)
                .values_list("id", flat=True)[:limit]
            )
            WebhookDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
            )
        if not ids:
            break
        for wd in WebhookDelivery.objects.filter(pk__in=ids).select_related("subscription"):
            started = time.monotonic()
            try:
                code = webhook.post(wd.subscription.url, wd.subscription.secret, event=wd.event,
                                    delivery_id=str(wd.pk), payload=wd.payload)
            except TransportError as exc:
                if not exc.retryable:
                    status, next_at = DeliveryStatus.FAILED, wd.next_attempt_at
                elif wd.attempts >= settings.MATCH_DELIVERY_MAX_ATTEMPTS:
                    status, next_at = DeliveryStatus.DEAD, wd.next_attempt_at
                else:
                    status, next_at = DeliveryStatus.PENDING, timezone.now() + _backoff(wd.attempts)
                WebhookDelivery.objects.filter(pk=wd.pk).update(
                    status=status, next_attempt_at=next_at, error=exc.reason[:2000],
                    duration_ms=int((time.monotonic() - started) * 1000),
                )
                continue
            WebhookDelivery.objects.filter(pk=wd.pk).update(
                status=DeliveryStatus.SENT, response_code=code, sent_at=timezone.now(), error="",
                duration_ms=int((time.monotonic() - started) * 1000),
            )
            sent += 1
    return sent
