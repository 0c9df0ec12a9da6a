"""Departments (政府资源库) with their service points."""

from __future__ import annotations

from django.contrib import admin

from ..models import Department, ServicePoint
from ..permissions import user_is_official_of
from .common import is_official


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "level", "district", "contact"]
    list_filter = ["level"]
    search_fields = ["code", "name", "short_name"]
    inlines = [ServicePointInline]
    autocomplete_fields = ["parent"]

    def has_module_permission(self, request):
        return is_official(request.user)

    def has_view_permission(self, request, obj=None):
        return is_official(request.user)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        return obj is not None and user_is_official_of(request.user, obj.pk)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
