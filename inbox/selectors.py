"""What an enterprise's inbox (the 消息 page, ``/api/v1/notifications/``) shows: its match
pushes (in-app ``matching.Notification`` rows) and its messages about applications, appeals
and grants (``inbox.Message``), newest first, in one common shape (``InboxItem``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import CharField, F, IntegerField, QuerySet, TextField, Value
from django.urls import reverse

from matching.models import Channel, Notification, Reason

from .models import Message

SOURCE_NOTIFICATION = "notification"
SOURCE_MESSAGE = "message"
KIND_MATCH = "match"


@dataclass(frozen=True)
class InboxItem:
    """One row of the inbox. ``source`` and ``id`` identify it (a match push's id and a
    message's id are numbered apart); ``kind`` is ``match`` for a push, else the message's kind
    (``application``, ``grant``, ``case``); ``reason`` is the push's reason (empty for a
    message); ``link`` is a site path."""

    source: str
    id: int
    kind: str
    reason: str
    policy_id: int | None
    title: str
    body: str
    link: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    channel: str = Channel.INAPP

    @property
    def key(self) -> str:
        """Unique on the page (the HTML id of the row)."""
        return f"{self.source}-{self.id}"

    @property
    def reason_label(self) -> str:
        return str(Reason(self.reason).label) if self.reason in Reason.values else ""

    @classmethod
    def from_row(cls, row: dict) -> InboxItem:
        link = row["link"]
        if row["source"] == SOURCE_NOTIFICATION:
            link = reverse("web:policy_detail", args=[row["policy_id"]])
        return cls(
            source=row["source"],
            id=row["id"],
            kind=row["kind"],
            reason=row["reason"],
            policy_id=row["policy_id"],
            title=row["title"] or "",
            body=row["body"],
            link=link,
            created_at=row["created_at"],
            read_at=row["read_at"],
        )


_COLUMNS = ("source", "id", "kind", "reason", "policy_id", "title", "body", "link", "created_at", "read_at")


def _as_columns(qs: QuerySet, **values) -> QuerySet:
    # Every column is an annotation, given in the same order on both sides of the UNION.
    return (
        qs.order_by()
        .annotate(**{f"i_{name}": values[name] for name in _COLUMNS})
        .values_list(*(f"i_{name}" for name in _COLUMNS))
    )


def _notifications(enterprise_id: int) -> QuerySet:
    return _as_columns(
        Notification.objects.filter(enterprise_id=enterprise_id, channel=Channel.INAPP),
        source=Value(SOURCE_NOTIFICATION, output_field=CharField()),
        id=F("id"),
        kind=Value(KIND_MATCH, output_field=CharField()),
        reason=F("reason"),
        policy_id=F("policy_id"),
        title=F("policy__title"),
        body=Value("", output_field=TextField()),
        link=Value("", output_field=CharField()),
        created_at=F("created_at"),
        read_at=F("read_at"),
    )


def _messages(enterprise_id: int) -> QuerySet:
    return _as_columns(
        Message.objects.filter(enterprise_id=enterprise_id),
        source=Value(SOURCE_MESSAGE, output_field=CharField()),
        id=F("id"),
        kind=F("kind"),
        reason=Value("", output_field=CharField()),
        policy_id=Value(None, output_field=IntegerField()),
        title=F("title"),
        body=F("body"),
        link=F("link"),
        created_at=F("created_at"),
        read_at=F("read_at"),
    )


class InboxFeed(Sequence):
    """The union of both sources, newest first, read page by page: it has ``count()`` and
    slicing, so ``django.core.paginator.Paginator`` and DRF's page pagination take it as they
    take a queryset. (It cannot be filtered further: pass the filters to the selector.)"""

    def __init__(self, rows: QuerySet) -> None:
        self._rows = rows

    def count(self) -> int:
        return self._rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [InboxItem.from_row(dict(zip(_COLUMNS, row, strict=True))) for row in self._rows[index]]
        return InboxItem.from_row(dict(zip(_COLUMNS, self._rows[index], strict=True)))


def notifications_for_enterprise(
    *,
    enterprise_id: int,
    unread: bool | None = None,
    since: datetime.datetime | None = None,
    oldest_first: bool = False,
) -> InboxFeed:
    """Everything the enterprise's inbox shows: match pushes and application / appeal / grant
    messages, newest first (``oldest_first``: the other way round). ``unread``: True for the
    unread only, False for the read only, None for all; ``since``: created at or after."""
    parts = []
    for qs in (_notifications(enterprise_id), _messages(enterprise_id)):
        if unread is not None:
            qs = qs.filter(read_at__isnull=unread)
        if since is not None:
            qs = qs.filter(created_at__gte=since)
        parts.append(qs)
    order = ("i_created_at", "i_source", "i_id")
    rows = parts[0].union(parts[1], all=True).order_by(*(o if oldest_first else f"-{o}" for o in order))
    return InboxFeed(rows)


def inbox_item_get(*, enterprise_id: int, source: str, item_id: int) -> InboxItem | None:
    """One item of the enterprise's inbox, or None when it is not theirs."""
    if source == SOURCE_NOTIFICATION:
        qs = _notifications(enterprise_id).filter(pk=item_id)
    elif source == SOURCE_MESSAGE:
        qs = _messages(enterprise_id).filter(pk=item_id)
    else:
        return None
    row = qs.first()
    return InboxItem.from_row(dict(zip(_COLUMNS, row, strict=True))) if row else None


def inbox_unread_count(*, enterprise_id: int) -> int:
    """Unread match pushes and messages (the badge in the navigation), in one query."""
    pushes = Notification.objects.filter(
        enterprise_id=enterprise_id, channel=Channel.INAPP, read_at__isnull=True
    )
    messages = Message.objects.filter(enterprise_id=enterprise_id, read_at__isnull=True).order_by()
    return pushes.values_list("id").union(messages.values_list("id"), all=True).count()
