"""Send an in-app message to an enterprise (all its users) or to one official, and mark
messages read.

A message to an enterprise is an outbox source like a match push: it is written in the
caller's transaction together with the step that causes it, and its e-mail and SMS
deliveries on the channels the enterprise chose are written with it
(``matching.pipeline.outbox.message_deliveries_create``) and sent by the one delivery task."""

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from matching.pipeline.notify import notification_mark_read, notifications_mark_all_read
from matching.pipeline.outbox import message_deliveries_create

from .models import Message


def _key(*parts) -> str:
    raw = "|".join(str(p) for p in parts)
    return raw if len(raw) <= 120 else hashlib.sha256(raw.encode()).hexdigest()


def message_send(
    *,
    kind: str,
    title: str,
    key: str,
    enterprise=None,
    user=None,
    body: str = "",
    link: str = "",
    sms_text: str = "",
    sms_phone: str = "",
) -> Message | None:
    """Idempotent by ``key``: the second call with the same key sends nothing and returns None.

    ``link`` is a site path (``reverse(...)``). For an enterprise, ``sms_text`` replaces the
    SMS wording and ``sms_phone`` texts that number when the enterprise has not chosen SMS
    (see ``message_deliveries_create``)."""
    if enterprise is None and user is None:
        raise ValueError("a message needs an enterprise or a user")
    try:
        with transaction.atomic():
            message = Message.objects.create(
                enterprise=enterprise,
                user=user,
                kind=kind,
                title=title[:200],
                body=body,
                link=link,
                key=_key(key),
            )
            if enterprise is not None:
                message_deliveries_create(message=message, sms_text=sms_text, sms_phone=sms_phone)
            return message
    except IntegrityError:
        return None


def messages_for(*, user):
    """The messages a user sees: its own, and its enterprise's."""
    q = Q(user=user)
    if getattr(user, "enterprise_id", None):
        q |= Q(enterprise_id=user.enterprise_id)
    return Message.objects.filter(q)


def message_mark_read(*, user, message_id: int) -> bool:
    return bool(
        messages_for(user=user).filter(pk=message_id, read_at__isnull=True).update(read_at=timezone.now())
    )


@transaction.atomic
def inbox_item_mark_read(*, enterprise_id: int, source: str, item_id: int) -> bool:
    """Mark one item of the enterprise's inbox read: a match push (``source="notification"``)
    or a message (``"message"``). False when it is not the enterprise's."""
    if source == "notification":
        return notification_mark_read(notification_id=item_id, enterprise_id=enterprise_id)
    if source != "message":
        return False
    mine = Message.objects.filter(pk=item_id, enterprise_id=enterprise_id)
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return mine.exists()


@transaction.atomic
def inbox_mark_all_read(*, enterprise_id: int) -> int:
    """Mark every match push and message of the enterprise's inbox read. Returns how many."""
    messages = Message.objects.filter(enterprise_id=enterprise_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return notifications_mark_all_read(enterprise_id=enterprise_id) + messages
