"""Webhooks to integrators: HMAC-SHA256 signed JSON body, retried.

Headers: ``X-Portal-Timestamp`` (Unix seconds), ``X-Portal-Event``, ``X-Portal-Delivery``
and ``X-Portal-Signature: sha256=<hex>`` where the HMAC key is the subscription's
secret and the signed bytes are ``f"{timestamp}.".encode() + body``. Receivers should
reject timestamps older than five minutes (replay). A delivery may arrive more than once
(at-least-once): ``X-Portal-Delivery`` is the receiver's deduplication key.

Targets are HTTPS addresses on the public internet: the host is resolved and every address it
resolves to must be global (no loopback, private, link-local, shared or reserved address, and
never a cloud metadata address), when the subscription is registered
(``matching.webhooks``) and again at each delivery, which then connects to the very address it
checked (a name re-pointed at an internal address after registration, DNS rebinding, gets
nowhere). ``WEBHOOK_ALLOW_PRIVATE`` opens every address and plain HTTP (on-premise receivers,
the test suite's own receivers on 127.0.0.1); ``WEBHOOK_ALLOWED_NETWORKS`` opens only the
networks listed (e.g. ``10.20.0.0/16``), HTTP included.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from requests.adapters import HTTPAdapter

from matching.channels import Message, TransportError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services (AWS/GCP/Azure/OpenStack; AWS over IPv6; Alibaba Cloud): refused
# whatever the settings open.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)

_WHY = {
    "metadata": (_("云平台元数据地址"), "a cloud metadata address"),
    "loopback": (_("本机回环地址"), "a loopback address"),
    "link_local": (_("链路本地地址"), "a link-local address"),
    "private": (_("内网地址"), "a private address"),
    "not_global": (_("非公网地址"), "not a public address"),
}


class TargetRefused(Exception):
    """The portal does not post to this URL. ``message`` is for the integrator (translated),
    ``reason`` for the delivery log."""

    def __init__(self, message, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


class TargetUnresolved(Exception):
    """The host name does not resolve (now)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (for Host and the TLS server name)
    port: int
    addresses: tuple[IPAddress, ...]  # every address the host resolved to, all allowed


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.WEBHOOK_ALLOWED_NETWORKS]


def address_refusal(address: IPAddress) -> str | None:
    """Why the portal will not post to ``address`` (a key of ``_WHY``), or None."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "metadata"
    if settings.WEBHOOK_ALLOW_PRIVATE or any(address in net for net in _allowed_networks()):
        return None
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"
    if address.is_private:
        return "private"
    if not address.is_global or address.is_multicast:
        return "not_global"
    return None


def _resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetUnresolved(host) from exc
    found: dict[IPAddress, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        found[ipaddress.ip_address(sockaddr[0].split("%", 1)[0])] = None
    if not found:
        raise TargetUnresolved(host)
    return tuple(found)


def target_resolve(url: str) -> Target:
    """Resolve ``url``'s host and check every address. Raises ``TargetRefused`` (not a URL the
    portal posts to) or ``TargetUnresolved`` (the name does not resolve)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if scheme not in ("https", "http") or not host:
        raise TargetRefused(_("回调地址必须是 https:// 开头的完整地址。"), "not an http(s) URL")
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port)
    for address in addresses:
        why = address_refusal(address)
        if why is not None:
            zh, en = _WHY[why]
            raise TargetRefused(
                _(
                    "回调地址的主机 %(host)s 指向 %(address)s（%(why)s），不能接收推送；本地部署的接收方由管理员在设置中放行。"
                )
                % {"host": host, "address": address, "why": zh},
                f"{host} resolves to {address}, {en}",
            )
    opened = settings.WEBHOOK_ALLOW_PRIVATE or all(
        any(a in net for net in _allowed_networks()) for a in addresses
    )
    if scheme == "http" and not opened:
        raise TargetRefused(_("回调地址必须使用 https。"), "plain http to a public address")
    return Target(scheme=scheme, host=host, port=port, addresses=addresses)


class _PinnedAdapter(HTTPAdapter):
    """Connects to the URL's host (an address already checked) while TLS still verifies the
    certificate of, and sends SNI for, the name the subscription gave."""

    def __init__(self, server_hostname: str) -> None:
        self._server_hostname = server_hostname
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self._server_hostname
            pool_kwargs["assert_hostname"] = self._server_hostname
        return host_params, pool_kwargs


def _pinned_url(url: str, target: Target, address: IPAddress) -> str:
    parts = urlsplit(url)
    netloc = f"[{address}]:{target.port}" if address.version == 6 else f"{address}:{target.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


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
        target = target_resolve(url)
    except TargetRefused as exc:
        raise TransportError(f"webhook target refused: {exc.reason}", retryable=False) from exc
    except TargetUnresolved as exc:
        raise TransportError(f"webhook unreachable: {exc} does not resolve", retryable=True) from exc
    headers["Host"] = urlsplit(url).netloc.rpartition("@")[2]  # as the URL wrote it, port included
    resp, error = None, None
    with requests.Session() as session:
        session.mount(f"{target.scheme}://", _PinnedAdapter(target.host))
        for address in target.addresses:
            try:
                resp = session.post(
                    _pinned_url(url, target, address), data=body, headers=headers, timeout=timeout,
                    allow_redirects=False,
                )  # fmt: skip
                break
            except requests.ConnectionError as exc:
                error = exc
            except requests.RequestException as exc:
                raise TransportError(f"webhook unreachable: {exc}", retryable=True) from exc
    if resp is None:
        raise TransportError(f"webhook unreachable: {error}", retryable=True) from error
    if 300 <= resp.status_code < 400:
        # a redirect is not followed: it could lead anywhere, an internal address included
        raise TransportError(
            f"webhook refused: HTTP {resp.status_code} redirect (not followed)", retryable=False
        )
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
