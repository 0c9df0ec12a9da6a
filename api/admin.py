from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api.models import ALL_SCOPES, ApiKey, AuthToken, Scope
from api.services import api_key_issue, api_key_revoke


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiKey
        fields = ["name", "organisation", "scopes", "department", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Officials issue keys here; the key is shown once, in the message after saving."""

    form = ApiKeyForm
    list_display = [
        "name",
        "organisation",
        "prefix",
        "scope_list",
        "department",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "organisation", "prefix"]
    readonly_fields = ["prefix", "account", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("权限范围"))
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes or [])

    def save_model(self, request, obj, form, change):
        if change:
            obj.scopes = [s for s in form.cleaned_data["scopes"] if s in ALL_SCOPES]
            super().save_model(request, obj, form, change)
            return
        key, raw = api_key_issue(
            name=form.cleaned_data["name"],
            organisation=form.cleaned_data.get("organisation", ""),
            scopes=list(form.cleaned_data["scopes"]),
            department=form.cleaned_data.get("department"),
            expires_at=form.cleaned_data.get("expires_at"),
            created_by=request.user,
        )
        obj.pk = key.pk
        obj.__dict__.update({k: v for k, v in key.__dict__.items() if not k.startswith("_")})
        messages.warning(
            request,
            _("接入密钥(只显示这一次，请立即交给接入方妥善保存)：%(key)s") % {"key": raw},
        )

    @admin.action(description=_("吊销所选密钥"))
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, _("已吊销 %(n)d 个密钥。") % {"n": queryset.count()})


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "expires_at", "last_used_at"]
    search_fields = ["user__username", "prefix"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
