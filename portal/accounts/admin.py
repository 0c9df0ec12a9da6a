"""Admin for accounts: users (officials and enterprise users), binding requests reviewed by
officials (approve / reject with a reason), activation codes, and the read-only audit trail."""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import services
from .masking import can_see_personal_data, mask_email, mask_phone
from .models import ActivationCode, BindingStatus, EnterpriseBindingRequest, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "masked_phone", "enterprise", "is_staff", "is_active", "password_changed_at"]
    list_filter = ["is_staff", "is_superuser", "is_active", "departments", "groups"]
    search_fields = ["username", "first_name", "last_name", "enterprise__name", "enterprise__credit_code"]
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

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: User) -> str:
        return obj.phone if can_see_personal_data(self._request) else mask_phone(obj.phone)

    @admin.display(description=_("邮箱"))
    def masked_email(self, obj: User) -> str:
        return obj.email if can_see_personal_data(self._request) else mask_email(obj.email)

    def get_queryset(self, request):
        self._request_user = request.user
        return super().get_queryset(request).select_related("enterprise")

    @property
    def _request(self):
        return getattr(self, "_request_user", None)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or can_see_personal_data(request.user):
            return fieldsets
        # Without the personal-data permission phone and e-mail are shown masked and read-only.
        return [
            (name, {**opts, "fields": [
                {"phone": "masked_phone", "email": "masked_email"}.get(f, f) for f in opts["fields"]
            ]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        self._request_user = request.user
        if obj is not None and not can_see_personal_data(request.user):
            fields += ["masked_phone", "masked_email"]
        return fields


class ReviewForm(forms.Form):
    reason = forms.CharField(label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(EnterpriseBindingRequest)
class EnterpriseBindingRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "enterprise", "applicant_name", "masked_phone", "status", "reviewer", "decided_at"]
    list_filter = ["status"]
    search_fields = ["credit_code", "enterprise__name", "user__username", "applicant_name"]
    list_select_related = ["user", "enterprise", "reviewer"]
    actions = ["approve", "reject"]
    readonly_fields = [
        "user", "credit_code", "enterprise", "applicant_name", "masked_phone", "note",
        "status", "reviewer", "reason", "created_at", "decided_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        self._viewer = request.user
        return super().get_queryset(request)

    def get_readonly_fields(self, request, obj=None):
        self._viewer = request.user
        return super().get_readonly_fields(request, obj)

    @admin.display(description=_("申请人手机号"))
    def masked_phone(self, obj: EnterpriseBindingRequest) -> str:
        viewer = getattr(self, "_viewer", None)
        return obj.applicant_phone if can_see_personal_data(viewer) else mask_phone(obj.applicant_phone)

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
                            services.binding_request_approve(binding_request=req, reviewer=request.user, reason=reason)
                        else:
                            services.binding_request_reject(binding_request=req, reviewer=request.user, reason=reason)
                        done += 1
                    except ValidationError as exc:
                        failed.append(f"{req}: {'; '.join(exc.messages)}")
                if done:
                    self.message_user(request, (_("已通过 %(count)d 条绑定申请。") if approve else _("已驳回 %(count)d 条绑定申请。")) % {"count": done}, messages.SUCCESS)
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


@admin.register(ActivationCode)
class ActivationCodeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "enterprise", "channel", "sent_to", "issued_by", "expires_at", "used_at", "used_by"]
    list_select_related = ["enterprise", "issued_by", "used_by"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    exclude = ["code_hash"]
    raw_id_fields = ["enterprise"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- the audit trail: read-only for everybody, superusers included -----------------------
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(AuditlogLogEntryAdmin):
    """Nobody edits or deletes audit entries through the admin; PostgreSQL enforces the same
    with a trigger (migration accounts.0004), retention purges excepted."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
