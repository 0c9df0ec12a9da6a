from django.contrib import admin

from portal.accounts.selectors import user_departments
from portal.admin_inlines import ReadOnlyInline

from .models import (
    ArrearsCase,
    ArrearsEvent,
    Case,
    CaseEvent,
    CategoryTimeLimit,
    Rating,
    Repayment,
    RepaymentInstallment,
    ReturnVisit,
    RoutingRule,
)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "district", "department", "priority")
    list_filter = ("category", "department")
    search_fields = ("district", "department__name")


@admin.register(CategoryTimeLimit)
class CategoryTimeLimitAdmin(admin.ModelAdmin):
    list_display = ("category", "working_days", "remind_before")


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "department", "note")
    readonly_fields = fields


class ReturnVisitInline(ReadOnlyInline):
    model = ReturnVisit
    fields = ("visited_at", "official", "method", "resolved", "summary")
    readonly_fields = fields


class DepartmentScopedAdmin(admin.ModelAdmin):
    """Officials see the items of their own departments; handling goes through the staff pages
    (which call the services), so the admin is for looking and searching, not for editing steps."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(department__in=user_departments(request.user))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(DepartmentScopedAdmin):
    list_display = (
        "number",
        "title",
        "enterprise",
        "category",
        "kind",
        "department",
        "status",
        "due_on",
        "escalated",
        "created_at",
    )
    list_filter = ("status", "category", "kind", "source", "escalated", "department", "district")
    search_fields = ("number", "title", "enterprise__name", "enterprise__credit_code")
    date_hierarchy = "created_at"
    list_select_related = ("enterprise", "department")
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseEventInline, ReturnVisitInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("case", "score", "comment", "rated_at")
    list_filter = ("score",)
    readonly_fields = ("case", "score", "comment", "rated_by", "rated_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InstallmentInline(ReadOnlyInline):
    model = RepaymentInstallment
    fields = ("due_on", "amount")
    readonly_fields = fields


class RepaymentInline(ReadOnlyInline):
    model = Repayment
    fields = ("paid_on", "amount", "recorded_by", "recorded_at")
    readonly_fields = fields


class ArrearsEventInline(ReadOnlyInline):
    model = ArrearsEvent
    fields = ("at", "action", "actor", "note")
    readonly_fields = fields


@admin.register(ArrearsCase)
class ArrearsCaseAdmin(DepartmentScopedAdmin):
    list_display = ("number", "enterprise", "debtor_name", "debtor_type", "amount", "status", "due_on")
    list_filter = ("status", "debtor_type", "district")
    search_fields = ("number", "debtor_name", "enterprise__name", "enterprise__credit_code")
    readonly_fields = [f.name for f in ArrearsCase._meta.fields]
    inlines = [InstallmentInline, RepaymentInline, ArrearsEventInline]
