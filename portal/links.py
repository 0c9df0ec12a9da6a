"""The one place a link that leaves the site is built.

Every absolute link the portal writes (e-mail, SMS, webhook payloads, digests, one-click
confirmations) goes through ``absolute_url``: the page is named, never spelt, so a link
cannot drift from the URLconf, and the base is ``settings.SITE_URL`` (the address the portal
is served at). In-app messages store the site-relative path (``reverse`` / ``resolve_url``)
and are turned into absolute links here when they are sent elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.shortcuts import resolve_url


def absolute_url(to: Any, *args: Any, **kwargs: Any) -> str:
    """``settings.SITE_URL`` + the path of ``to``.

    ``to`` is what ``django.shortcuts.resolve_url`` takes: a URL name with its ``args`` /
    ``kwargs`` (``absolute_url("web:policy_detail", policy.pk)``), a model instance with
    ``get_absolute_url`` (``absolute_url(policy)``), or a site-relative path already
    reversed (``"/applications/3/"``). An absolute ``http(s)://`` URL is returned unchanged.
    """
    path = str(resolve_url(to, *args, **kwargs))
    if path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        raise ValueError(f"not a site path: {path!r}")
    return settings.SITE_URL.rstrip("/") + path
