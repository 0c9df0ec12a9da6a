"""Who the caller is, and what each kind of caller may do. Views ask these questions;
the answers come from the accounts part (departments, verified enterprise binding)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied

from api.authentication import Integrator
from enterprises.selectors import enterprise_id_for_code


def is_integrator(user) -> bool:
    return isinstance(user, Integrator)


def is_person(user) -> bool:
    return bool(user and user.is_authenticated and not is_integrator(user))


def is_official(user) -> bool:
    return is_person(user) and bool(user.is_official)


def official_department_ids(user) -> set[int] | None:
    """Department ids the user is an official of; ``None`` means every department (superuser)."""
    if not is_person(user):
        return set()
    if user.is_superuser:
        return None
    cached = getattr(user, "_api_department_ids", None)
    if cached is None:
        cached = set(user.departments.values_list("pk", flat=True))
        user._api_department_ids = cached
    return cached


def policy_department_ids(user) -> set[int] | None:
    """Departments whose policies the caller sees in every status: an official's own (``None``:
    all, a superuser), or the department of an API key that may write policies."""
    if is_integrator(user):
        key = user.api_key
        return {key.department_id} if key.has_scope("policies:write") and key.department_id else set()
    return official_department_ids(user)


def is_official_of(user, department_id: int | None) -> bool:
    if is_integrator(user):
        key = user.api_key
        return (
            key.has_scope("policies:write")
            and key.department_id is not None
            and key.department_id == department_id
        )
    ids = official_department_ids(user)
    return ids is None or department_id in ids


def has_scope(user, scope: str) -> bool:
    return is_integrator(user) and user.has_scope(scope)


def enterprise_id_of(user) -> int | None:
    """The enterprise a person is bound to (verified), or None."""
    if not is_person(user):
        return None
    return getattr(user, "enterprise_id", None)


def require(user, allowed: bool, message=None) -> None:
    """Raise 401 for an anonymous caller, 403 for a known one, unless ``allowed``."""
    if allowed:
        return
    if not (user and user.is_authenticated):
        raise NotAuthenticated()
    raise PermissionDenied(message or _("您没有执行该操作的权限。"))


class ReadAnyoneWrite(permissions.BasePermission):
    """Safe methods for anyone; writes decided by ``view.can_write(user)``."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        require(request.user, view.can_write(request.user))
        return True


def can_read_enterprises(user) -> bool:
    return is_official(user) or has_scope(user, "enterprises:read") or has_scope(user, "enterprises:write")


def can_write_enterprises(user) -> bool:
    return is_official(user) or has_scope(user, "enterprises:write")


def can_write_indicator_values(user) -> bool:
    return is_official(user) or has_scope(user, "indicators:write")


def can_read_matches_of(user, enterprise_id: int) -> bool:
    return is_official(user) or has_scope(user, "matches:read") or enterprise_id_of(user) == enterprise_id


def enterprise_readable(user, credit_code: str) -> int:
    """The id of the enterprise ``credit_code`` names, for a caller who may read an enterprise's
    matches and grants: an official, a ``matches:read`` key, or the enterprise's own staff.
    Anyone else is refused (403); an unknown code, or another enterprise's code asked by an
    enterprise user, is not found (404, so that codes cannot be probed)."""
    own_id = enterprise_id_of(user)
    wide = is_official(user) or has_scope(user, "matches:read")  # can_read_matches_of, asked once
    require(user, wide or own_id is not None)
    enterprise_id = enterprise_id_for_code(credit_code)
    if enterprise_id is None or not (wide or own_id == enterprise_id):
        raise NotFound()
    return enterprise_id
