"""In-app: the outbox row itself is what the enterprise reads; nothing to transport."""

from matching.channels import Message


def send(message: Message, recipient: str, **_kwargs) -> None:
    return None
