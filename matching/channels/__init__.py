"""Delivery channels as plugins: one transport per channel.

Each transport takes a ``Message`` and a recipient and either returns (the response code
when its protocol has one, else None) or raises ``TransportError(reason, retryable=...)``:
``retryable`` says whether trying again later can help (a timeout, a 5xx) or not (a bad
address, a 4xx). ``matching.pipeline.deliver`` is the one caller: it records the error and
the duration on the ``Delivery`` row and retries or gives up.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class TransportError(Exception):
    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass
class Message:
    subject: str
    text: str
    link: str
    data: dict = field(default_factory=dict)  # machine-readable body (webhooks)
    short: str = ""  # one SMS-sized line


def transport_for(channel: str):
    from matching.channels import email, inapp, sms, webhook

    return {"inapp": inapp.send, "email": email.send, "sms": sms.send, "webhook": webhook.send}[channel]
