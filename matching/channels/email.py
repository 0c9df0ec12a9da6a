"""E-mail through Django's mail backends (console by default, SMTP in production)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from matching.channels import Message, TransportError


def send(message: Message, recipient: str, *, unsubscribe_url: str = "", **_kwargs) -> None:
    if not recipient or "@" not in recipient:
        raise TransportError(f"invalid e-mail address: {recipient!r}", retryable=False)
    headers = {}
    body = message.text
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        body += f"\n\n退订 / Unsubscribe: {unsubscribe_url}\n"
    mail = EmailMessage(message.subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], headers=headers)
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise TransportError(f"recipient refused: {exc}", retryable=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise TransportError(
            f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
            retryable=exc.smtp_code >= 400 and exc.smtp_code < 500,
        ) from exc
    except (OSError, smtplib.SMTPException, TimeoutError) as exc:
        raise TransportError(f"mail server unreachable: {exc}", retryable=True) from exc
