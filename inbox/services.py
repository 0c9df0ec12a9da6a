"""Send an in-app message to an enterprise (all its users) or to one official."""

import hashlib

from django.db import IntegrityError, transaction

from .models import Message


def _key(*parts) -> str:
    raw = "|".join(str(p) for p in parts)
    return raw if len(raw) <= 120 else hashlib.sha256(raw.encode()).hexdigest()


def message_send(*, kind: str, title: str, key: str, enterprise=None, user=None, body: str = "",
                 link: str = "") -> Message | None:
    """Idempotent by ``key``: the second call with the same key sends nothing and returns None."""
    if enterprise is None and user is None:
        raise ValueError("a message needs an enterprise or a user")
    try:
        with transaction.atomic():
            return Message.objects.create(enterprise=enterprise, user=user, kind=kind, title=title[:200],
                                          body=body, link=link, key=_key(key))
    except IntegrityError:
        return None


def messages_for(*, user):
    """The messages a user sees: its own, and its enterprise's."""
    from django.db.models import Q

    q = Q(user=user)
    if getattr(user, "enterprise_id", None):
        q |= Q(enterprise_id=user.enterprise_id)
    return Message.objects.filter(q)


def message_mark_read(*, user, message_id: int) -> bool:
    from django.utils import timezone

    return bool(messages_for(user=user).filter(pk=message_id, read_at__isnull=True).update(read_at=timezone.now()))
