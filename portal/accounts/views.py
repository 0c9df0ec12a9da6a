"""Login, logout and password change (Django's auth views with Chinese templates), and the page
where a user asks to be bound to an enterprise (activation code or review by an official)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import second_factor, services
from .forms import ActivationCodeForm, BindingRequestForm, LoginForm
from .masking import mask_phone
from .models import EnterpriseBindingRequest


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        # An official (or a user who enrolled) goes on to the second step (second_factor.py);
        # the middleware would send them there anyway, this saves a round trip.
        url = super().get_success_url()
        step = second_factor.pending_step(self.request.user)
        return second_factor.step_url(step, url) if step else url


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def bind(request: HttpRequest) -> HttpResponse:
    """Bind the logged-in user to an enterprise: redeem an activation code, ask for one to be
    sent to the enterprise's registered contact, or submit a request for an official's review."""
    user = request.user
    code_form = ActivationCodeForm(prefix="code")
    request_form = BindingRequestForm(prefix="req", initial={"applicant_name": user.get_full_name()})
    if request.method == "POST" and not user.enterprise_id:
        action = request.POST.get("action")
        if action in ("redeem", "send_code"):
            code_form = ActivationCodeForm(request.POST, prefix="code")
            if code_form.is_valid():
                try:
                    if action == "send_code":
                        enterprise = services.enterprise_by_credit_code(
                            credit_code=code_form.cleaned_data["credit_code"]
                        )
                        issued = services.activation_code_issue(enterprise=enterprise)
                        messages.success(
                            request,
                            _("激活码已发送至该企业登记的联系人（%(to)s），请向其索取。")
                            % {"to": issued.sent_to},
                        )
                        return redirect("accounts:bind")
                    enterprise = services.activation_code_redeem(
                        user=user,
                        credit_code=code_form.cleaned_data["credit_code"],
                        code=code_form.cleaned_data["code"],
                    )
                    messages.success(request, _("已绑定企业：%(name)s") % {"name": enterprise.name})
                    return redirect("accounts:bind")
                except ValidationError as exc:
                    _add_errors(code_form, exc)
        elif action == "request":
            request_form = BindingRequestForm(request.POST, prefix="req")
            if request_form.is_valid():
                try:
                    services.binding_request_create(user=user, **request_form.cleaned_data)
                    messages.success(request, _("绑定申请已提交，请等待主管部门审核。"))
                    return redirect("accounts:bind")
                except ValidationError as exc:
                    _add_errors(request_form, exc)
    binding_requests = [
        {"obj": r, "phone": mask_phone(r.applicant_phone)}
        for r in EnterpriseBindingRequest.objects.filter(user=user).select_related("enterprise")[:20]
    ]
    return render(
        request,
        "accounts/bind.html",
        {
            "code_form": code_form,
            "request_form": request_form,
            "binding_requests": binding_requests,
            "is_official": user.is_official,
        },
        status=400 if request.method == "POST" else 200,
    )


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes lockout response (AXES_LOCKOUT_CALLABLE)."""
    return render(request, "accounts/locked_out.html", status=429)
