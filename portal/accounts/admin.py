"""Admin for accounts: users (officials and enterprise users), binding requests reviewed by
officials (approve / reject with a reason), activation codes, and the read-only audit trail."""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from portal.admin_inlines import ReadOnlyAdminMixin

from . import services
from .admin_masking import PersonalDataMaskingMixin
from .models import PASSWORD_MUST_CHANGE, ActivationCode, BindingStatus, EnterpriseBindingRequest, User


class InitialPasswordCreationForm(AdminUserCreationForm):
    """A password an administrator chose is an initial one: an official must replace it at
    the first login (PasswordMaxAgeMiddleware treats it as expired)."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.password_changed_at = PASSWORD_MUST_CHANGE
        if commit:
            user.save()
            self.save_m2m()
        return user


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password reset by an administrator must be replaced at the next login (officials)."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.password_changed_at = PASSWORD_MUST_CHANGE
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(PersonalDataMaskingMixin, DjangoUserAdmin):
    add_form = InitialPasswordCreationForm
    change_password_form = ResetPasswordForm
    personal_data_fields = {"phone": "phone", "email": "email"}
    list_display = [
        "username",
        "full_name",
        "phone",
        "enterprise",
        "is_staff",
        "is_active",
        "password_changed_at",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "departments", "groups"]
    search_fields = [
        "username",
        "first_name",
        "last_name",
        "phone",
        "enterprise__name",
        "enterprise__credit_code",
    ]
    list_select_related = ["enterprise"]
    filter_horizontal = ["departments", "groups", "user_permissions"]
    raw_id_fields = ["enterprise"]
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["first_name", "last_name", "email", "phone"]}),
        (_("所属单位"), {"fields": ["departments", "enterprise"]}),
        (_("权限"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined", "password_changed_at"]}),
    ]

    @admin.display(description=_("姓名"))
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(EnterpriseBindingRequest)
class EnterpriseBindingRequestAdmin(PersonalDataMaskingMixin, admin.ModelAdmin):
    personal_data_fields = {"applicant_phone": "phone"}
    list_display = [
        "created_at",
        "user",
        "enterprise",
        "applicant_name",
        "applicant_phone",
        "status",
        "reviewer",
        "decided_at",
    ]
    list_filter = ["status"]
    search_fields = ["credit_code", "enterprise__name", "user__username", "applicant_name"]
    list_select_related = ["user", "enterprise", "reviewer"]
    actions = ["approve", "reject", "send_activation_code"]
    readonly_fields = [
        "user",
        "credit_code",
        "enterprise",
        "applicant_name",
        "applicant_phone",
        "note",
        "status",
        "reviewer",
        "reason",
        "created_at",
        "decided_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _review(self, request, queryset, *, approve: bool):
        pending = queryset.filter(status=BindingStatus.PENDING)
        if "apply" in request.POST:
            form = ReviewForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                done, failed = 0, []
                for req in pending:
                    try:
                        if approve:
                            services.binding_request_approve(
                                binding_request=req, reviewer=request.user, reason=reason
                            )
                        else:
                            services.binding_request_reject(
                                binding_request=req, reviewer=request.user, reason=reason
                            )
                        done += 1
                    except ValidationError as exc:
                        failed.append(f"{req}: {'; '.join(exc.messages)}")
                if done:
                    self.message_user(
                        request,
                        (
                            _("已通过 %(count)d 条绑定申请。")
                            if approve
                            else _("已驳回 %(count)d 条绑定申请。")
                        )
                        % {"count": done},
                        messages.SUCCESS,
                    )
                for line in failed:
                    self.message_user(request, line, messages.ERROR)
                return None
        else:
            form = ReviewForm()
        return TemplateResponse(
            request,
            "accounts/admin/review_binding.html",
            {
                **self.admin_site.each_context(request),
                "title": _("通过绑定申请") if approve else _("驳回绑定申请"),
                "queryset": pending,
                "form": form,
                "action": "approve" if approve else "reject",
                "approve": approve,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("通过所选绑定申请"), permissions=["change"])
    def approve(self, request, queryset):
        return self._review(request, queryset, approve=True)

    @admin.action(description=_("驳回所选绑定申请（须填写理由）"), permissions=["change"])
    def reject(self, request, queryset):
        return self._review(request, queryset, approve=False)

    @admin.action(description=_("向所选企业的登记联系人发送激活码"), permissions=["change"])
    def send_activation_code(self, request, queryset):
        enterprises = {req.enterprise_id: req.enterprise for req in queryset.select_related("enterprise")}
        for enterprise in enterprises.values():
            try:
                issued = services.activation_code_issue(enterprise=enterprise, issued_by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{enterprise}: {'; '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("已向 %(name)s 的登记联系人（%(to)s）发送激活码。")
                    % {"name": enterprise.name, "to": issued.sent_to},
                    messages.SUCCESS,
                )


@admin.register(ActivationCode)
class ActivationCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "enterprise",
        "channel",
        "sent_to",
        "issued_by",
        "expires_at",
        "used_at",
        "used_by",
    ]
    list_select_related = ["enterprise", "issued_by", "used_by"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    exclude = ["code_hash"]
    raw_id_fields = ["enterprise"]


# --- the audit trail: read-only for everybody, superusers included -----------------------
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, AuditlogLogEntryAdmin):
    """Nobody edits or deletes audit entries through the admin; PostgreSQL enforces the same
    with a trigger (migration accounts.0004), retention purges excepted."""

    actions = None
