"""Access control for views: enterprise users (bound to a verified enterprise) and officials.

Anonymous visitors are sent to the login page; a logged-in user of the wrong kind gets 403.
An enterprise user not yet bound is sent to the binding page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from . import second_factor
from .selectors import user_enterprise, user_is_official


def _deny_or_login(request) -> Any:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def enterprise_user_required(view: Callable) -> Callable:
    """Only users bound to an enterprise; ``request.enterprise`` is set for the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        enterprise = user_enterprise(request.user)
        if enterprise is None:
            if user_is_official(request.user):
                raise PermissionDenied
            return redirect("accounts:bind")
        request.enterprise = enterprise
        return view(request, *args, **kwargs)

    return wrapper


def official_required(view: Callable) -> Callable:
    """Only officials (members of a department, or superusers) with a verified second factor."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_is_official(request.user):
            return _deny_or_login(request)
        step = second_factor.pending_step(request.user)
        if step is not None:  # the middleware sends there first; this guards views mounted elsewhere
            return redirect(second_factor.step_url(step, request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper
