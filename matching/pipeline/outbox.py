"""Writing to the outbox: the delivery rows of in-app messages sent on by e-mail or SMS, and of
webhook events. Always in the caller's transaction, together with what causes them (DESIGN §5:
a broker that is down delays a message, loses none); the one delivery task
(``matching.deliveries_send``) is queued on commit, and the repair run queues it again for
anything still due. Match pushes are written set-based by the matching runs (``Notification``)
and given their deliveries by ``deliver.deliveries_plan``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from matching.models import Channel, ChannelPreference, Delivery, WebhookSubscription
from matching.pipeline.queue import enqueue_on_commit


def _deliveries_send_on_commit() -> None:
    from matching import tasks

    enqueue_on_commit(tasks.deliveries_send)


def webhook_deliveries_create(
    *,
    subscriptions: Iterable[WebhookSubscription],
    event: str,
    key: str,
    payload: dict,
    enqueue: bool = True,
) -> int:
    """One delivery of ``payload`` per subscription, idempotent by (subscription, ``key``).
    Returns how many subscriptions it was addressed to."""
    subscriptions = list(subscriptions)
    if not subscriptions:
        return 0
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                channel=Channel.WEBHOOK,
                enterprise_id=s.enterprise_id,
                subscription=s,
                event=event,
                event_key=key[:120],
                payload=payload,
                next_attempt_at=now,
            )
            for s in subscriptions
        ],
        ignore_conflicts=True,
    )
    if enqueue:
        _deliveries_send_on_commit()
    return len(subscriptions)


def message_deliveries_create(*, message, sms_text: str = "", sms_phone: str = "") -> int:
    """The e-mail and SMS deliveries of an enterprise's in-app message (``inbox.Message``) on the
    channels the enterprise chose (``ChannelPreference``; in-app is the message itself).

    ``sms_phone`` texts that number when the enterprise has not chosen SMS (the grant's one-click
    account link goes to the contact phone); ``sms_text`` replaces the SMS's default wording. An
    enterprise that unsubscribed gets neither. At most one delivery per (message, channel).
    Returns how many deliveries were written."""
    if message.enterprise_id is None:
        return 0
    pref = ChannelPreference.objects.filter(enterprise_id=message.enterprise_id).first()
    if pref is not None and pref.unsubscribed_at is not None:
        return 0
    targets: dict[str, str] = {}
    if pref is not None and pref.email and pref.email_address:
        targets[Channel.EMAIL] = pref.email_address
    if pref is not None and pref.sms and pref.sms_phone:
        targets[Channel.SMS] = pref.sms_phone
    elif sms_phone:
        targets[Channel.SMS] = sms_phone
    if not targets:
        return 0
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                enterprise_id=message.enterprise_id,
                channel=channel,
                recipient=recipient,
                message=message,
                payload={"short": sms_text} if channel == Channel.SMS and sms_text else None,
                next_attempt_at=now,
            )
            for channel, recipient in targets.items()
        ],
        ignore_conflicts=True,
    )
    _deliveries_send_on_commit()
    return len(targets)
