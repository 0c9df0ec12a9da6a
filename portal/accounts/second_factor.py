"""The second factor (TOTP with single-use recovery codes, django-otp).

Who: every official (a member of a department), every staff user and every superuser must
pass it; an enterprise user who enrolled a device of their own (opt-in) passes it too.

Where: enforced on the session, whatever signed the user in (password, the admin, single
sign-on): until the session is verified (django-otp's ``user.is_verified()``, set by
``django_otp.login``), :class:`SecondFactorMiddleware` sends every page to the second step
(:func:`step_url`: the code page, or the enrolment page for an official without a device) and
the API sees the session as anonymous. ``official_required`` and the admin's permission check
ask for a verified session as well. The API token endpoint asks for an ``otp`` code.

Wrong codes are throttled by django-otp (exponential back-off per device: 1 s, 2 s, 4 s, ...
after each failure), a TOTP code is accepted once (replay refused), a recovery code once.
"""

from __future__ import annotations

import re
from base64 import b32decode, b32encode
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
TOTP_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"
#: session key caching "this user needs no second step" (enterprise users without a device),
#: so that their pages cost no extra query; cleared at every login and at enrolment.
NOT_REQUIRED_SESSION_KEY = "second_factor_not_required"

_DIGITS = re.compile(r"^\d{6}$")
_RECOVERY = re.compile(r"^[a-z2-7]{8}$")


def required_for(user) -> bool:
    """Officials, staff and superusers must have a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_staff or user.is_official)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_step(user) -> str | None:
    """The second step ("verify", "enrol" or None) this signed-in, unverified user still owes."""
    if not getattr(user, "is_authenticated", False) or is_verified(user):
        return None
    if has_device(user):
        return "verify"
    if required_for(user):
        return "enrol"
    return None


def step_url(step: str, next_url: str = "") -> str:
    url = reverse("accounts:otp_verify" if step == "verify" else "accounts:otp_setup")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def is_totp_code(code: str) -> bool:
    return bool(_DIGITS.match(code))


@dataclass
class CheckResult:
    device: object | None = None
    throttled: bool = False


def check_code(user, code: str) -> CheckResult:
    """Verify a 6-digit TOTP code or an 8-character recovery code (consumed) for ``user``.
    Throttling and replay protection are django-otp's, under a row lock."""
    code = normalise(code)
    if _DIGITS.match(code):
        model = TOTPDevice
    elif _RECOVERY.match(code):
        model = StaticDevice
    else:
        return CheckResult()
    throttled = False
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"):
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                return CheckResult(device=device)
    return CheckResult(throttled=throttled)


def wrong_code_message(result: CheckResult) -> str:
    if result.throttled:
        return _("验证码错误次数过多，请稍后再试（每次错误后等待时间加倍）。")
    return _("验证码错误或已使用，请输入身份验证器上当前的 6 位数字，或一个未用过的恢复码。")


def recovery_codes_issue(user) -> list[str]:
    """Replace the user's recovery codes by ``RECOVERY_CODES`` new single-use ones."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device being enrolled (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def enrolment_confirm(request, device: TOTPDevice) -> list[str]:
    """The first code matched: the device is confirmed, replaces any other, the session is
    verified and the recovery codes are issued (returned to be shown once)."""
    user = device.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    request.session.pop(NOT_REQUIRED_SESSION_KEY, None)
    return recovery_codes_issue(user)


def devices_reset(user) -> int:
    """An administrator's reset of a lost device: every device and recovery code of ``user`` is
    removed; an official enrols again at the next sign-in."""
    deleted = TOTPDevice.objects.filter(user=user).delete()[0]
    deleted += StaticDevice.objects.filter(user=user).delete()[0]
    return deleted


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def key_from_base32(secret: str) -> str:
    """A base32 secret (as authenticator apps show it) to django-otp's hex key."""
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return b32decode(padded).hex()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (rendered here; no external service)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


# --- enforcement -------------------------------------------------------------------------------

EXEMPT_PREFIXES = ("/static/", "/i18n/", "/healthz/", "/favicon.ico", "/accounts/2fa/")


class SecondFactorMiddleware:
    """Right after django-otp's OTPMiddleware: a signed-in user who owes a second step reaches
    only the step itself, logout and static files; pages redirect to the step, the API treats
    the session as anonymous."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not is_verified(user):
            step = self._step(request, user)
            if step is not None:
                request.second_factor_pending = step  # the step's own pages: no staff menu yet
                path = request.path_info
                if path.startswith("/api/"):
                    request.user = AnonymousUser()
                elif not self._exempt(path):
                    return redirect(step_url(step, request.get_full_path()))
        return self.get_response(request)

    @staticmethod
    def _step(request, user) -> str | None:
        if request.session.get(NOT_REQUIRED_SESSION_KEY) == user.pk:
            return None
        step = pending_step(user)
        if step is None:
            request.session[NOT_REQUIRED_SESSION_KEY] = user.pk
        return step

    @staticmethod
    def _exempt(path: str) -> bool:
        if path.startswith(EXEMPT_PREFIXES):
            return True
        return path in {reverse("accounts:logout"), reverse("admin:logout"), reverse("accounts:login")}


def _remember_at_login(sender, request, user, **kwargs):
    """At every sign-in, note in the session whether this user owes no second step (so that an
    enterprise user's pages cost no extra query), or forget it."""
    if request is None or not hasattr(request, "session"):
        return
    if pending_step(user) is None:
        request.session[NOT_REQUIRED_SESSION_KEY] = user.pk
    else:
        request.session.pop(NOT_REQUIRED_SESSION_KEY, None)


def admin_login(request, extra_context=None):
    """The admin has no password form of its own: its login sends to the portal's login (and
    from there through the second step)."""
    from django.contrib import admin
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    next_url = request.GET.get("next") or reverse("admin:index")
    if request.user.is_authenticated:
        step = pending_step(request.user)
        if step is not None:
            return redirect(step_url(step, next_url))
        if admin.site.has_permission(request):
            return redirect(next_url)
        raise PermissionDenied
    return redirect_to_login(next_url, reverse("accounts:login"))


def admin_has_permission(original):
    """The admin's permission check, asking also for a verified session from those who owe one."""

    def has_permission(request):
        return original(request) and pending_step(request.user) is None

    return has_permission


def session_mark_verified(session, device) -> None:
    """For code that holds a session but no request (tests' ``Client.force_login``)."""
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
