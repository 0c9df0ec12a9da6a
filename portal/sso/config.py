"""Settings of the relying party, read at run time (tests override them).

With ``OIDC_ISSUER`` set, the endpoints that are not given explicitly come from the issuer's
discovery document (``<issuer>/.well-known/openid-configuration``), fetched at the first use
and kept for an hour in this process. Nothing is fetched while the portal starts."""

from __future__ import annotations

import threading
import time

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BACKEND_PATH = "portal.sso.backends.PortalOIDCBackend"
DISCOVERY_TTL_SECONDS = 3600

# mozilla-django-oidc setting → key of the discovery document
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_cache: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


class DiscoveryError(Exception):
    """The issuer's discovery document could not be read or does not name the issuer."""


def normalize_issuer(issuer: str | None) -> str:
    return (issuer or "").strip().rstrip("/")


def is_configured() -> bool:
    """Client id and secret, and an issuer or at least the authorization and token endpoints."""
    if not (getattr(settings, "OIDC_RP_CLIENT_ID", "") and getattr(settings, "OIDC_RP_CLIENT_SECRET", "")):
        return False
    if normalize_issuer(getattr(settings, "OIDC_ISSUER", "")):
        return True
    return bool(
        getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", "")
        and getattr(settings, "OIDC_OP_TOKEN_ENDPOINT", "")
    )


def discovery() -> dict:
    issuer = normalize_issuer(settings.OIDC_ISSUER)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(issuer)
        if hit and hit[0] > now:
            return hit[1]
    try:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration",
            timeout=getattr(settings, "OIDC_TIMEOUT", 10),
            verify=getattr(settings, "OIDC_VERIFY_SSL", True),
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DiscoveryError(f"discovery of {issuer} failed: {exc}") from exc
    if not isinstance(document, dict) or normalize_issuer(document.get("issuer")) != issuer:
        raise DiscoveryError(f"discovery document of {issuer} names another issuer")
    with _lock:
        _cache[issuer] = (now + DISCOVERY_TTL_SECONDS, document)
    return document


def discovery_forget() -> None:
    with _lock:
        _cache.clear()


def expected_issuer() -> str:
    """The issuer every id_token must name: OIDC_ISSUER, else none is checked (explicit endpoints
    without an issuer: set OIDC_ISSUER too, it is then checked without discovery)."""
    return normalize_issuer(getattr(settings, "OIDC_ISSUER", ""))


def oidc_setting(attr: str, *default):
    """mozilla-django-oidc's ``get_settings``: the portal's value, an endpoint from discovery
    when it is not given, else the default."""
    value = getattr(settings, attr, None)
    if attr in _DISCOVERED and not value and normalize_issuer(getattr(settings, "OIDC_ISSUER", "")):
        value = discovery().get(_DISCOVERED[attr]) or None
    if value in (None, ""):
        if default:
            return default[0]
        if attr in _DISCOVERED:
            return None
        raise ImproperlyConfigured(f"Setting {attr} not found")
    return value
