"""Who may see and act on what: the applying enterprise's users, and officials of the
policy's department (a superuser is an official of every department)."""

from __future__ import annotations

from typing import Any

from portal.accounts.selectors import user_department_ids, user_is_official_of  # noqa: F401 - re-exported


def user_enterprise_id(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return getattr(user, "enterprise_id", None)


def user_can_view_application(user: Any, application) -> bool:
    return user_enterprise_id(user) == application.enterprise_id or user_is_official_of(
        user, application.department_id
    )


def user_can_review_application(user: Any, application) -> bool:
    return user_is_official_of(user, application.department_id)


def user_can_view_grant(user: Any, grant) -> bool:
    return user_enterprise_id(user) == grant.enterprise_id or user_is_official_of(user, grant.department_id)
