"""Pushing the enterprise at each step of an application or grant.

The pipeline's match notifications are keyed by (policy version, enterprise, channel,
reason), which does not fit the many steps of an application, so steps are inbox messages
(``inbox.services.message_send``, idempotent by key) written in the same transaction as the
step itself. They are outbox sources like match pushes: the enterprise reads them in its
inbox, and they go out as e-mail and SMS deliveries on the channels it chose, through the
one delivery task (``matching.pipeline.deliver``).
"""

from __future__ import annotations

from enterprises.models import Enterprise
from inbox.services import message_send


def enterprise_message_create(
    *,
    enterprise_id: int,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    kind: str = "application",
    sms_text: str = "",
    sms_phone: str = "",
) -> None:
    """``sms_text`` replaces the SMS wording; ``sms_phone`` texts that number when the enterprise
    has not chosen SMS (``inbox.services.message_send``)."""
    message_send(
        kind=kind,
        title=title,
        key=key,
        enterprise=Enterprise(pk=enterprise_id),
        body=body,
        link=url,
        sms_text=sms_text,
        sms_phone=sms_phone,
    )


def user_message_create(*, user, key: str, title: str, body: str = "", url: str = "") -> None:
    message_send(kind="application", title=title, key=key, user=user, body=body, link=url)
