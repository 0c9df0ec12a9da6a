"""What every policies admin page checks first."""

from __future__ import annotations


def is_official(user) -> bool:
    """Staff who work for a department (or a superuser): the only users of these pages."""
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.departments.exists()))
