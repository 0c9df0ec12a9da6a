"""Officials must change a password older than ``OFFICIAL_PASSWORD_MAX_AGE_DAYS`` (GB/T
22239-2019 level 3): every page except the password change itself, logout and static files
redirects them to the change page until they do."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PASSWORD_MUST_CHANGE
from .validators import applies_to_official

# portal.sso.config.BACKEND_PATH (named here so that accounts does not import the sso app)
SSO_BACKEND = "portal.sso.backends.PortalOIDCBackend"


def password_expired(user) -> bool:
    """True for an official whose password is older than the limit (or of unknown age)."""
    max_age = settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS
    if not max_age or not getattr(user, "is_authenticated", False):
        return False
    changed = user.password_changed_at
    if changed is not None and changed > timezone.now() - timedelta(days=max_age):
        return False  # the common case decides without a query
    return applies_to_official(user)


class PasswordMaxAgeMiddleware:
    # /accounts/2fa/: the second step comes first (second_factor.SecondFactorMiddleware)
    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/api/", "/accounts/2fa/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and password_expired(user) and self._applies(request):
            if user.password_changed_at == PASSWORD_MUST_CHANGE:
                messages.warning(request, _("当前密码由管理员设置，请先修改密码。"))
            else:
                messages.warning(
                    request,
                    _("您的密码已超过 %(days)d 天未修改，请先修改密码。")
                    % {"days": settings.OFFICIAL_PASSWORD_MAX_AGE_DAYS},
                )
            return redirect(f"{reverse('accounts:password_change')}?expired=1")
        return self.get_response(request)

    def _applies(self, request) -> bool:
        if request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND:
            return False  # signed in through single sign-on: no password was used
        path = request.path_info
        if path.startswith(self.EXEMPT_PREFIXES):
            return False
        exempt = {
            reverse("accounts:password_change"),
            reverse("accounts:password_change_done"),
            reverse("accounts:logout"),
            reverse("admin:logout"),
        }
        return path not in exempt
