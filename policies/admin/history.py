"""The version history of policies, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_inlines import ReadOnlyAdminMixin

from ..models import PolicyVersion
from ..permissions import user_department_ids
from .common import is_official


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["policy", "number", "match_version", "comment", "changed_by", "changed_at"]
    list_select_related = ["policy", "changed_by"]
    readonly_fields = [
        "policy",
        "number",
        "match_version",
        "comment",
        "changed_by",
        "changed_at",
        "changes_readable",
        "snapshot",
    ]
    exclude = ["changes"]
    search_fields = ["policy__title"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = user_department_ids(request.user)
        return qs if ids is None else qs.filter(policy__department_id__in=ids)

    @admin.display(description=_("变更内容"))
    def changes_readable(self, obj):
        return format_html("{}", render_to_string("policies/admin_versions.html", {"versions": [obj]}))

    def has_module_permission(self, request):
        return is_official(request.user)

    def has_view_permission(self, request, obj=None):
        return is_official(request.user)
