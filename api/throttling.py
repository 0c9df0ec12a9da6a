"""Rate limits of the API, per caller: an API key has its own bucket (``apikey``), a person
signed in with a token or a session has theirs (``user``), anonymous callers share one per
address (``anon``); the eligibility calculator has its own per address (``eligibility``).

Addresses come from ``portal.client_ip.client_ip`` (``TRUSTED_PROXIES``): a made-up
``X-Forwarded-For`` does not open a new bucket. Rates: ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``
(``API_RATE_*`` in the environment).
"""

from __future__ import annotations

from rest_framework import throttling

from api import access
from portal.client_ip import client_ip


class _ClientAddress:
    def get_ident(self, request):
        return client_ip(request) or ""


class AnonRateThrottle(_ClientAddress, throttling.AnonRateThrottle):
    """Anonymous callers, per address."""


class ApiKeyRateThrottle(_ClientAddress, throttling.SimpleRateThrottle):
    """An integrator's key, per key (whatever address it calls from)."""

    scope = "apikey"

    def get_cache_key(self, request, view):
        user = request.user
        if not access.is_integrator(user):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.api_key.pk}


class UserRateThrottle(_ClientAddress, throttling.SimpleRateThrottle):
    """A person (token or session), per account (whatever address they call from)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not access.is_person(request.user):
            return None
        user = request.user
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class ScopedRateThrottle(_ClientAddress, throttling.ScopedRateThrottle):
    """A view's own scope (``throttle_scope``), per account or, anonymous, per address."""
