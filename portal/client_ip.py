"""The caller's IP address: the one place that reads ``REMOTE_ADDR`` and ``X-Forwarded-For``.

``TRUSTED_PROXIES`` (environment, default 0) is the number of reverse proxies in front of the
portal that each append the address they saw to ``X-Forwarded-For``. With 0 the header is
ignored (anyone can send it: a made-up one must not buy a fresh rate-limit bucket or hide the
address in the audit trail); with n the client is the n-th address from the right, the one
the outermost trusted proxy saw. The API's throttles (``api.throttling``, and DRF's
``NUM_PROXIES``), django-axes (``AXES_CLIENT_IP_CALLABLE``) and the audit trail
(``AuditlogMiddleware`` below) all ask this function.
"""

from __future__ import annotations

import ipaddress

from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request) -> str | None:
    """The address of the client behind ``settings.TRUSTED_PROXIES`` proxies."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    candidate = forwarded[-min(proxies, len(forwarded))]
    # a trusted proxy writes an address; anything else means the chain is not what we were told
    return candidate if _valid(candidate) else remote


class AuditlogMiddleware(_AuditlogMiddleware):
    """django-auditlog's middleware, recording the address ``client_ip`` resolves (the
    library's own reads the first ``X-Forwarded-For`` entry, which the client chooses), and
    opening the audit scope in which the API names its caller once DRF has authenticated it
    (``portal.audittrail.context``)."""

    def __call__(self, request):
        from portal.audittrail.context import request_scope

        user = getattr(request, "user", None)
        with request_scope(
            request,
            actor=self._get_actor(request) if user is not None else None,
            remote_addr=self._get_remote_addr(request),
            remote_port=self._get_remote_port(request),
        ):
            return super().__call__(request)

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None if settings.TRUSTED_PROXIES <= 0 else _AuditlogMiddleware._get_remote_port(request)
