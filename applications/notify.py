"""Pushing the enterprise at each step of an application or grant.

The pipeline's outbox (``matching.Notification``) is keyed by (policy version,
enterprise, channel, reason) for match pushes, which does not fit the many steps of an
application, so steps go to the shared in-app inbox (``inbox.services.message_send``,
idempotent by key) in the same transaction as the step itself. The one-click
bank-account link for grants also goes out by SMS through the configured SMS backend
when the enterprise has a contact phone.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def enterprise_message_create(
    *, enterprise_id: int, key: str, title: str, body: str = "", url: str = "", kind: str = "application"
) -> None:
    from enterprises.models import Enterprise
    from inbox.services import message_send

    message_send(kind=kind, title=title, key=key, enterprise=Enterprise(pk=enterprise_id), body=body, link=url)


def user_message_create(*, user, key: str, title: str, body: str = "", url: str = "") -> None:
    from inbox.services import message_send

    message_send(kind="application", title=title, key=key, user=user, body=body, link=url)


def sms_send_on_commit(*, phone: str, text: str) -> None:
    """Send an SMS after commit through the configured backend; a failure is logged, not raised
    (the in-app message is the channel of record)."""
    if not phone:
        return

    def _send() -> None:
        try:
            backend = import_string(settings.SMS_BACKEND)()
            backend.send(phone, text)
        except Exception:  # noqa: BLE001 - any transport problem must not undo the step
            log.warning("SMS to the enterprise contact could not be sent", exc_info=True)

    transaction.on_commit(_send)
