"""Pages of the second factor (second_factor.py): the code step after the password, the
enrolment of an authenticator (QR code and secret, confirmed by a first code, then the recovery
codes shown once), and the regeneration of recovery codes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import second_factor as sf


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=32,
        help_text=gettext_lazy("身份验证器上显示的 6 位数字；手机不在身边时，可输入一个恢复码。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=16,
        help_text=gettext_lazy("扫码或输入密钥后，身份验证器上显示的 6 位数字。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: the 6-digit code of the authenticator, or a recovery code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next(request)
    step = sf.pending_step(request.user)
    if step is None:
        return redirect(next_url)
    if step == "enrol":
        return redirect(sf.step_url("enrol", next_url))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = sf.check_code(request.user, form.cleaned_data["code"])
            if result.device is not None:
                otp_login(request, result.device)
                if isinstance(result.device, StaticDevice):
                    messages.warning(
                        request,
                        _("已使用一个恢复码，还剩 %(n)d 个。请尽快找回或重新绑定身份验证器。")
                        % {"n": sf.recovery_codes_left(request.user)},
                    )
                return redirect(next_url)
            form.add_error("code", sf.wrong_code_message(result))
            status = 429 if result.throttled else 400
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrolment (officials at their first sign-in; enterprise users by choice)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    next_url = _next(request)
    if sf.has_device(user) and not sf.is_verified(user):
        return redirect(sf.step_url("verify", next_url))  # re-enrolling needs the current device
    device = sf.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            code = sf.normalise(form.cleaned_data["code"])
            allowed, _info = device.verify_is_allowed()
            if allowed and sf.is_totp_code(code) and device.verify_token(code):
                codes = sf.enrolment_confirm(request, device)
                return render(
                    request,
                    "accounts/otp_recovery_codes.html",
                    {"codes": codes, "next": next_url, "enrolled": True},
                )
            form.add_error("code", sf.wrong_code_message(sf.CheckResult(throttled=not allowed)))
    context = {
        "form": form,
        "next": next_url,
        "secret": sf.secret_base32(device),
        "qr_svg": sf.qr_svg(device),
        "required": sf.required_for(user),
    }
    return render(request, "accounts/otp_setup.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery(request: HttpRequest) -> HttpResponse:
    """The state of the second factor and new recovery codes (the old ones stop working)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    if not sf.has_device(user):
        return redirect("accounts:otp_setup")
    if not sf.is_verified(user):
        return redirect(sf.step_url("verify", request.get_full_path()))
    if request.method == "POST":
        codes = sf.recovery_codes_issue(user)
        return render(
            request, "accounts/otp_recovery_codes.html", {"codes": codes, "next": "/", "enrolled": False}
        )
    return render(request, "accounts/otp_manage.html", {"left": sf.recovery_codes_left(user)})
