"""From the outbox to the wire: the one status machine of every message the portal sends
to an enterprise or an integrator (match pushes, application / appeal / grant messages sent on
as e-mail or SMS, webhooks).

- ``deliveries_plan`` gives every external-channel match notification a ``Delivery``: one
  each, or one digest per (enterprise, channel) when several arrive at once and the
  enterprise has digests on (in-app rows stay individual). Inbox messages and webhook events
  get theirs when they are written (``outbox.py``).
- ``deliveries_send`` (the one delivery task) claims due deliveries
  (``select_for_update(skip_locked=True)``, then an UPDATE to ``sending`` conditional on the
  row still being ``pending``, stamping ``claimed_at``) so two senders never send the same
  one, sends each through its channel's plugin and records the result, response code and
  duration. A transient error is retried with exponential backoff; a permanent one marks the
  delivery ``failed`` with its reason, and running out of attempts marks it ``dead``; both
  are visible in the admin with a retry action. A sender holds a delivery's row lock
  while it sends it; the repair run puts back ``sending`` rows that nobody holds once their claim
  is ``MATCH_DELIVERY_SENDING_STALE_SECONDS`` old (a killed sender), never one being sent.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from matching.channels import Message, TransportError, transport_for
from matching.models import (
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    Notification,
    WebhookSubscription,
)
from matching.pipeline.messages import digest_message, single_message
from matching.pipeline.outbox import webhook_deliveries_create
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
        p.enterprise_id: p for p in ChannelPreference.objects.filter(enterprise_id__in={r[1] for r in rows})
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
            groups.append(
                (
                    Delivery(
                        enterprise_id=enterprise_id,
                        channel=channel,
                        digest=True,
                        recipient=recipient,
                        next_attempt_at=now,
                    ),
                    ids,
                )
            )
        else:
            groups.extend(
                (
                    Delivery(
                        enterprise_id=enterprise_id, channel=channel, recipient=recipient, next_attempt_at=now
                    ),
                    [i],
                )
                for i in ids
            )
    deliveries = Delivery.objects.bulk_create([g[0] for g in groups])
    for delivery, (_d, ids) in zip(deliveries, groups, strict=True):
        # the enterprise too: on a distributed database it names the one shard (docs/scale-out.md)
        Notification.objects.filter(enterprise_id=delivery.enterprise_id, pk__in=ids).update(
            delivery=delivery
        )
    return len(deliveries)


def _claim(*, limit: int) -> tuple[list[int], object]:
    """Take up to ``limit`` due deliveries: ``pending`` → ``sending`` with ``claimed_at``, by an
    UPDATE conditional on the row still being pending, so two senders never take the same one.
    A webhook whose subscription is switched off waits (it goes out if switched on again).
    Returns the ids and the claim's time."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(subscription__isnull=True) | Q(subscription__active=True))
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    return ids, now


def deliveries_send(*, limit: int = SEND_BATCH, max_batches: int = 200) -> int:
    """Send everything due, batch by batch (the one delivery task). Returns how many were sent."""
    sent = 0
    for _ in range(max_batches):
        ids, claimed_at = _claim(limit=limit)
        if not ids:
            break
        for pk in ids:
            sent += _claimed_send(pk=pk, claimed_at=claimed_at)
    return sent


def _claimed_send(*, pk: int, claimed_at) -> int:
    """Send one delivery of this sender's claim while holding its row lock, and record the outcome
    in the same transaction. The lock is the sender's liveness: the repair run puts back only
    ``sending`` rows nobody holds (a killed sender's connection is gone, its lock with it), so a
    delivery is never sent twice by two live senders; a killed sender's one may be (at least once,
    the same ``X-Portal-Delivery``). A claim taken over meanwhile is skipped."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("subscription", "message")
            .filter(pk=pk, status=DeliveryStatus.SENDING, claimed_at=claimed_at)
            .first()
        )
        return 0 if delivery is None else delivery_send(delivery=delivery)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.MATCH_DELIVERY_BACKOFF_SECONDS * (2 ** max(0, attempts - 1)))


def _push_message(delivery: Delivery) -> Message:
    notifications = list(
        Notification.objects.filter(delivery=delivery).select_related("policy").order_by("id")
    )
    if not notifications:
        raise TransportError("no notifications left for this delivery", retryable=False)
    if delivery.digest or len(notifications) > 1:
        return digest_message(notifications)
    return single_message(notifications[0])


def _inbox_message(delivery: Delivery) -> Message:
    """An in-app message (application, appeal, grant) as an e-mail or an SMS."""
    m = delivery.message
    link = absolute_url(m.link or "web:inbox")
    text = "\n\n".join(part for part in (m.title, m.body, f"详情：{link}") if part)
    short = (delivery.payload or {}).get("short") or f"【政策找企业】{m.title}。详情 {link}"
    return Message(subject=m.title, text=text, link=link, short=short)


def _transport(delivery: Delivery) -> int | None:
    """Send one delivery through its channel's plugin; raises ``TransportError``."""
    if delivery.subscription_id is not None:
        sub = delivery.subscription
        message = Message(subject=delivery.event, text="", link="", data=delivery.payload or {})
        return transport_for(delivery.channel)(
            message, sub.url, secret=sub.secret, event=delivery.event, delivery_id=str(delivery.pk)
        )
    if delivery.event.startswith("subscription."):
        return _subscription_mail_send(delivery)
    pref = ChannelPreference.objects.filter(enterprise_id=delivery.enterprise_id).first()
    if pref is not None and pref.unsubscribed_at is not None:
        raise TransportError("unsubscribed", retryable=False)
    message = _inbox_message(delivery) if delivery.message_id else _push_message(delivery)
    if delivery.channel == Channel.WEBHOOK:
        _webhook_fanout(delivery=delivery, message=message)
        return None
    unsubscribe = ""
    if pref is not None:
        unsubscribe = absolute_url("matching:unsubscribe", pref.unsubscribe_token)
    return transport_for(delivery.channel)(message, delivery.recipient, unsubscribe_url=unsubscribe)


def _subscription_mail_send(delivery: Delivery) -> int | None:
    """A saved search's confirmation or alert (``subscriptions``): written when queued; an
    alert goes out only while its subscription is confirmed and not unsubscribed, with its
    one-click unsubscribe link (RFC 8058)."""
    from subscriptions.models import Subscription

    payload = delivery.payload or {}
    sub = Subscription.objects.filter(pk=payload.get("subscription")).first()
    if sub is None or sub.unsubscribed_at is not None:
        raise TransportError("unsubscribed", retryable=False)
    if delivery.event == "subscription.alert" and sub.confirmed_at is None:
        raise TransportError("subscription not confirmed", retryable=False)
    message = Message(
        subject=payload.get("subject", ""), text=payload.get("text", ""), link=payload.get("link", "")
    )
    return transport_for(delivery.channel)(
        message, delivery.recipient, unsubscribe_url=payload.get("unsubscribe_url", "")
    )


def delivery_send(*, delivery: Delivery) -> int:
    """Send one claimed delivery and record the outcome on its row. Returns 1 when sent."""
    started = time.monotonic()
    try:
        code = _transport(delivery)
    except TransportError as exc:
        _record_failure(delivery, exc, started)
        return 0
    except Exception as exc:  # a bug in a transport must not wedge the queue
        logger.exception("delivery %s crashed", delivery.pk)
        _record_failure(delivery, TransportError(f"{type(exc).__name__}: {exc}", retryable=True), started)
        return 0
    _claimed(delivery).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        error="",
        response_code=code,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    return 1


def _claimed(delivery: Delivery):
    """The row, as long as it is still this sender's claim: a sender that outlived its claim
    (reset by the repair run and claimed again) must not overwrite the newer outcome."""
    return Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
    )


def _record_failure(delivery: Delivery, exc: TransportError, started: float) -> None:
    duration = int((time.monotonic() - started) * 1000)
    if not exc.retryable:
        status, next_at = DeliveryStatus.FAILED, delivery.next_attempt_at
    elif delivery.attempts >= settings.MATCH_DELIVERY_MAX_ATTEMPTS:
        status, next_at = DeliveryStatus.DEAD, delivery.next_attempt_at
    else:
        status, next_at = DeliveryStatus.PENDING, timezone.now() + _backoff(delivery.attempts)
    _claimed(delivery).update(
        status=status, next_attempt_at=next_at, error=exc.reason[:2000], duration_ms=duration
    )


@transaction.atomic
def delivery_retry(*, delivery_ids: list[int]) -> int:
    """Put failed or dead deliveries back in the queue (admin action)."""
    return Delivery.objects.filter(
        pk__in=delivery_ids, status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD]
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), error="")


def _webhook_fanout(*, delivery: Delivery, message: Message) -> None:
    """An enterprise's webhook channel: one signed delivery of the push per subscription that
    wants ``match.created``, idempotent by the channel delivery's id; this sending loop picks
    them up in its next batch."""
    subs = [
        s
        for s in WebhookSubscription.objects.filter(enterprise_id=delivery.enterprise_id, active=True)
        if s.wants("match.created")
    ]
    if not subs:
        raise TransportError("no active webhook subscription for this enterprise", retryable=False)
    webhook_deliveries_create(
        subscriptions=subs,
        event="match.created",
        key=f"delivery:{delivery.pk}",
        payload=message.data,
        enqueue=False,
    )
