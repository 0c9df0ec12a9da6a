"""Reads about users: which enterprise a user acts for, which departments an official serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from policies.models import Department

if TYPE_CHECKING:
    from enterprises.models import Enterprise


def user_enterprise(user: Any) -> Enterprise | None:
    """The enterprise ``user`` is bound to after verification, or None (anonymous, official,
    inactive, or not yet bound)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not getattr(user, "enterprise_id", None):
        return None
    return user.enterprise


def user_is_enterprise_user(user: Any) -> bool:
    return user_enterprise(user) is not None


def user_is_official(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_official)


def user_is_official_of(user: Any, department_id: int | None) -> bool:
    """Whether ``user`` serves the department (a superuser serves every department)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if department_id is None:
        return user.is_superuser
    return bool(user.is_official_of(department_id))


def user_department_ids(user: Any) -> list[int] | None:
    """The ids of the departments ``user`` serves; None means all of them (a superuser), []
    none (anonymous, inactive, or an enterprise user)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return list(user.departments.values_list("id", flat=True))


def user_departments(user: Any) -> QuerySet:
    """The departments ``user`` is an official of (all of them for a superuser)."""
    if not user_is_official(user):
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    return user.departments.all()
