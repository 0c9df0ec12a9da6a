"""Webhooks to integrators: HMAC-SHA256 signed JSON body, retried.

Headers: ``X-Portal-Timestamp`` (Unix seconds), ``X-Portal-Event``, ``X-Portal-Delivery``
and ``X-Portal-Signature: sha256=<hex>`` where the HMAC key is the subscription's
secret and the signed bytes are ``f"{timestamp}.".encode() + body``. Receivers should
reject timestamps older than five minutes (replay).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import requests

from matching.channels import Message, TransportError


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300) -> bool:
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(time.time() - ts) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature or "")


def post(url: str, secret: str, *, event: str, delivery_id: str, payload: dict, timeout: float = 10.0) -> int:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Portal-Timestamp": str(ts),
        "X-Portal-Event": event,
        "X-Portal-Delivery": delivery_id,
        "X-Portal-Signature": sign(secret, ts, body),
    }
    try:
        resp = requests.post(url, data=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise TransportError(f"webhook unreachable: {exc}", retryable=True) from exc
    if resp.status_code >= 500 or resp.status_code in (408, 429):
        raise TransportError(f"webhook HTTP {resp.status_code}", retryable=True)
    if resp.status_code >= 400:
        raise TransportError(f"webhook refused: HTTP {resp.status_code}", retryable=False)
    return resp.status_code


def send(
    message: Message, recipient: str, *, secret: str = "", event: str = "", delivery_id: str = "", **_kwargs
) -> int:
    """POST ``message.data`` to the subscription's URL (``recipient``), signed with its secret.
    Returns the response code. (An enterprise's webhook channel for match pushes is first fanned
    out to its subscriptions, one delivery each: ``deliver.py``.)"""
    if not secret:
        raise TransportError("a webhook delivery needs its subscription's secret", retryable=False)
    return post(recipient, secret, event=event, delivery_id=delivery_id, payload=message.data)
