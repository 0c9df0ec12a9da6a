from django.contrib import admin
from django.utils import timezone

from .models import CorrectionRequest, CorrectionStatus


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "enterprise", "field", "proposed_value", "status", "handled_by"]
    list_filter = ["status", "field"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "proposed_value"]
    readonly_fields = [
        "enterprise",
        "requested_by",
        "field",
        "current_value",
        "proposed_value",
        "reason",
        "created_at",
        "handled_by",
        "handled_at",
    ]
    fields = readonly_fields[:6] + ["status", "response", "handled_by", "handled_at", "created_at"]
    list_select_related = ["enterprise", "handled_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status != CorrectionStatus.OPEN:
            obj.handled_by = request.user
            obj.handled_at = timezone.now()
        super().save_model(request, obj, form, change)
