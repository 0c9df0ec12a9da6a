from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "title", "enterprise", "user", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "enterprise__name", "user__username")
    readonly_fields = ("enterprise", "user", "kind", "title", "body", "link", "key", "created_at", "read_at")

    def has_add_permission(self, request):
        return False
