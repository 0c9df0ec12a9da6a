"""统一身份认证账号关联: administrators map officials' identities (issuer + subject, or issuer +
e-mail until the first sign-in records the subject) to their portal accounts. Enterprise users'
rows appear here after their first sign-in. Only users with the model's permissions (by
default: superusers) see or change them."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import SsoIdentity


class SsoIdentityForm(forms.ModelForm):
    class Meta:
        model = SsoIdentity
        fields = ["issuer", "subject", "email", "user", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and getattr(settings, "OIDC_ISSUER", ""):
            self.fields["issuer"].initial = settings.OIDC_ISSUER

    def clean(self):
        data = super().clean()
        if not (data.get("subject") or "").strip() and not (data.get("email") or "").strip():
            raise forms.ValidationError(_("请填写用户标识（sub）或电子邮箱，至少一项。"))
        return data


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    form = SsoIdentityForm
    list_display = ["user", "kind", "issuer", "subject", "email", "last_login_at", "created_at"]
    search_fields = ["subject", "email", "user__username", "user__first_name", "issuer"]
    list_filter = ["issuer"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "last_login_at"]

    @admin.display(description=_("账号类型"))
    def kind(self, obj):
        if obj.user.is_official:
            return _("政府工作人员")
        if obj.user.enterprise_id:
            return _("企业用户")
        return _("未绑定")
