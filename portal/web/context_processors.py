"""Adds the unread-notification count for the navigation badge (one query, enterprise users
only, and only when a template actually shows it)."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import notifications_unread_count


class _Lazy:
    def __init__(self, fn):
        self.fn, self.done, self.value = fn, False, None

    def __call__(self):
        if not self.done:
            self.value, self.done = self.fn(), True
        return self.value


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "enterprise_id", None):
        return {}

    return {"unread_count": _Lazy(lambda: notifications_unread_count(enterprise_id=user.enterprise_id))}
