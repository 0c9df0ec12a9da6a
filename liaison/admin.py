from django.contrib import admin

from .models import Assignment, Visit


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "official", "role", "active", "assigned_on", "ended_on")
    list_filter = ("role", "active", "enterprise__district")
    search_fields = (
        "enterprise__name",
        "enterprise__credit_code",
        "official__username",
        "official__last_name",
    )
    raw_id_fields = ("enterprise", "official")
    list_select_related = ("enterprise", "official")


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("visited_on", "enterprise", "recorded_by")
    search_fields = ("enterprise__name", "discussed")
    date_hierarchy = "visited_on"
    raw_id_fields = ("enterprise",)
    filter_horizontal = ("officials", "cases")
