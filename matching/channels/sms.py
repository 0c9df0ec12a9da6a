"""SMS through an adapter: ``settings.SMS_BACKEND`` names the backend class.

``LoggingSmsBackend`` (the default) only logs; ``HttpSmsGatewayBackend`` POSTs
JSON to ``SMS_GATEWAY_URL`` with ``SMS_GATEWAY_KEY`` as a bearer token.
"""

from __future__ import annotations

import logging
import re

import requests
from django.conf import settings
from django.utils.module_loading import import_string

from matching.channels import Message, TransportError

logger = logging.getLogger(__name__)

_PHONE = re.compile(r"^1\d{10}$")
SENT: list[tuple[str, str]] = []  # what the logging backend "sent", for the tests and the demo


class LoggingSmsBackend:
    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))
        del SENT[:-1000]
        logger.info("SMS to %s****%s: %s", phone[:3], phone[-4:], text)


class HttpSmsGatewayBackend:
    def __init__(self, url: str | None = None, key: str | None = None, timeout: float = 10.0) -> None:
        self.url = url or settings.SMS_GATEWAY_URL
        self.key = key or settings.SMS_GATEWAY_KEY
        self.timeout = timeout

    def send(self, phone: str, text: str) -> None:
        if not self.url:
            raise TransportError("SMS_GATEWAY_URL is not set", retryable=False)
        try:
            resp = requests.post(
                self.url,
                json={"phone": phone, "text": text},
                headers={"Authorization": f"Bearer {self.key}"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise TransportError(f"SMS gateway unreachable: {exc}", retryable=True) from exc
        if resp.status_code >= 500 or resp.status_code == 429:
            raise TransportError(f"SMS gateway HTTP {resp.status_code}", retryable=True)
        if resp.status_code >= 400:
            raise TransportError(
                f"SMS gateway refused: HTTP {resp.status_code} {resp.text[:200]}", retryable=False
            )


def backend():
    return import_string(settings.SMS_BACKEND)()


def send(message: Message, recipient: str, **_kwargs) -> None:
    phone = re.sub(r"[\s-]", "", recipient or "")
    if not _PHONE.match(phone):
        raise TransportError(f"invalid mobile number: {recipient!r}", retryable=False)
    backend().send(phone, message.short or message.subject)
