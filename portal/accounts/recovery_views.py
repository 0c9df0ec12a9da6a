"""忘记密码 pages: ask for a link or code, enter the SMS code, open the e-mailed link, set the new
password. The rules live in ``recovery``; these views only validate input and call it.

The request page answers the same (status, body, and at least
``PASSWORD_RESET_MIN_RESPONSE_SECONDS``) whether or not the account exists."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.client_ip import client_ip

from . import recovery
from .forms import PasswordResetCodeForm, PasswordResetRequestForm
from .models import ActivationChannel, PasswordReset
from .validators import OfficialPasswordComplexityValidator

SESSION_IDENTIFIER = "pwreset_identifier"
SESSION_CHANNEL = "pwreset_channel"
SESSION_RESET_ID = "pwreset_id"
SESSION_TOKEN = "pwreset_token"


def _pad(started: float) -> None:
    """Sleep until PASSWORD_RESET_MIN_RESPONSE_SECONDS have passed since ``started``."""
    remaining = settings.PASSWORD_RESET_MIN_RESPONSE_SECONDS - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["rate_limited"] = True
    return render(request, template, context, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_request(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = time.monotonic()
        identifier = form.cleaned_data["identifier"]
        channel = form.cleaned_data["channel"]
        ip = client_ip(request)
        limited = recovery.request_limited(identifier=identifier, client_ip=ip)
        if not limited:
            recovery.password_reset_request(
                identifier=identifier,
                channel=channel,
                client_ip=ip,
            )
        _pad(started)  # the same time whatever happened above (known or unknown account, sent or not)
        if limited:
            return _too_many(request, "accounts/password_reset.html", {"form": form})
        request.session[SESSION_IDENTIFIER] = recovery.normalize_identifier(identifier)
        request.session[SESSION_CHANNEL] = channel
        request.session.pop(SESSION_RESET_ID, None)
        request.session.pop(SESSION_TOKEN, None)
        if channel == ActivationChannel.SMS:
            return redirect("accounts:password_reset_code")
        return redirect("accounts:password_reset_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@never_cache
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/password_reset_sent.html",
        {"settings_link_ttl": settings.PASSWORD_RESET_LINK_TTL_MINUTES},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_code(request: HttpRequest) -> HttpResponse:
    identifier = request.session.get(SESSION_IDENTIFIER)
    if not identifier or request.session.get(SESSION_CHANNEL) != ActivationChannel.SMS:
        return redirect("accounts:password_reset")
    form = PasswordResetCodeForm(request.POST or None)
    context = {"form": form, "settings_code_ttl": settings.PASSWORD_RESET_CODE_TTL_MINUTES}
    if request.method == "POST":
        if recovery.verify_limited(client_ip=client_ip(request)):
            return _too_many(request, "accounts/password_reset_code.html", context)
        if form.is_valid():
            started = time.monotonic()
            reset = recovery.password_reset_check_code(identifier=identifier, code=form.cleaned_data["code"])
            _pad(started)  # a wrong code for a real account costs no more time than for none
            if reset is not None:
                request.session[SESSION_RESET_ID] = reset.pk
                request.session.pop(SESSION_TOKEN, None)
                return redirect("accounts:password_reset_new")
            form.add_error(
                "code",
                _("验证码错误或已失效。连续输错 5 次后验证码作废，请重新获取。"),
            )
        return render(request, "accounts/password_reset_code.html", context, status=400)
    return render(request, "accounts/password_reset_code.html", context)


@never_cache
def password_reset_link(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the e-mailed link: keep its secret in the session and move to a URL without it
    (so that it does not linger in the history or leak to another page)."""
    if recovery.verify_limited(client_ip=client_ip(request)):
        return render(request, "accounts/password_reset_invalid.html", {"rate_limited": True}, status=429)
    reset = recovery.password_reset_from_link(token)
    if reset is None:
        return render(request, "accounts/password_reset_invalid.html", status=400)
    request.session[SESSION_RESET_ID] = reset.pk
    request.session[SESSION_TOKEN] = token
    return redirect("accounts:password_reset_new")


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_new(request: HttpRequest) -> HttpResponse:
    reset_id = request.session.get(SESSION_RESET_ID)
    token = request.session.get(SESSION_TOKEN)
    reset = recovery.password_reset_usable(reset_id=reset_id, token=token)
    if reset is None:
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = SetPasswordForm(reset.user, request.POST or None)
    # only the rules that apply to this (non-official) account
    rules = [
        (v.get_help_text(),)
        for v in get_default_password_validators()
        if not isinstance(v, OfficialPasswordComplexityValidator)
    ]
    form.fields["new_password1"].help_text = format_html(
        "<ul>{}</ul>", format_html_join("", "<li>{}</li>", rules)
    )
    if request.method == "POST" and form.is_valid():
        try:
            recovery.password_reset_complete(
                reset_id=reset.pk,
                token=token,
                password=form.cleaned_data["new_password1"],
                client_ip=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error("new_password2", exc)
        except PasswordReset.DoesNotExist:
            return render(request, "accounts/password_reset_invalid.html", status=400)
        else:
            for key in (SESSION_IDENTIFIER, SESSION_CHANNEL, SESSION_RESET_ID, SESSION_TOKEN):
                request.session.pop(key, None)
            return redirect("accounts:password_reset_done")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/password_reset_new.html",
        {"form": form, "username": reset.user.username},
        status=status,
    )


@never_cache
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")
