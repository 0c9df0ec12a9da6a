"""Admin: read views of applications, proposals, the ledger and payments (scoped to the
official's departments), the append-only logs as read-only inlines, and the editable
reference rows (department heads, bank accounts). Decisions are made on the staff pages
(/applications/review/, /applications/autogrant/, /applications/payments/), which call
the services, so that every step is checked and logged the same way."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from portal.admin_inlines import ReadOnlyAdminMixin, ReadOnlyInline

from .access import user_department_ids
from .models import (
    Application,
    ApplicationEvent,
    BankAccount,
    DepartmentHead,
    Grant,
    GrantBatch,
    GrantEvent,
    GrantProposal,
    PaymentInstruction,
)


class DepartmentScopedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    department_field = "department_id"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        departments = user_department_ids(request.user)
        if departments is None:
            return qs
        return qs.filter(**{f"{self.department_field}__in": departments})


class ApplicationEventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ["at", "action", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(DepartmentScopedAdmin):
    list_display = [
        "reference",
        "policy",
        "enterprise",
        "status",
        "submitted_at",
        "due_on",
        "escalated_at",
        "page",
    ]
    list_filter = ["status", "department"]
    search_fields = ["reference", "enterprise__name", "enterprise__credit_code", "policy__title"]
    list_select_related = ["policy", "enterprise"]
    inlines = [ApplicationEventInline]
    date_hierarchy = "submitted_at"

    @admin.display(description="审核页面")
    def page(self, obj):
        return format_html('<a href="{}">办理</a>', reverse("applications:detail", args=[obj.pk]))


@admin.register(GrantProposal)
class GrantProposalAdmin(DepartmentScopedAdmin):
    department_field = "policy__department_id"
    list_display = ["policy", "enterprise", "period", "amount", "status", "exclusive_group", "created_at"]
    list_filter = ["status", "period", "exclusive_group"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "policy__title"]
    list_select_related = ["policy", "enterprise"]


@admin.register(GrantBatch)
class GrantBatchAdmin(DepartmentScopedAdmin):
    department_field = "policy__department_id"
    list_display = ["pk", "policy", "period", "count", "total", "confirmed_by", "confirmed_at"]


class GrantEventInline(ReadOnlyInline):
    model = GrantEvent
    fields = ["at", "action", "actor", "comment"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = PaymentInstruction
    fields = ["reference", "amount", "status", "paid_on", "failure_reason", "created_at", "exported_at"]
    readonly_fields = fields


@admin.register(Grant)
class GrantAdmin(DepartmentScopedAdmin):
    list_display = ["policy", "enterprise", "period", "source", "amount", "status", "granted_at", "paid_on"]
    list_filter = ["status", "source", "period", "department"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "policy__title"]
    list_select_related = ["policy", "enterprise"]
    inlines = [PaymentInline, GrantEventInline]


@admin.register(PaymentInstruction)
class PaymentInstructionAdmin(DepartmentScopedAdmin):
    department_field = "grant__department_id"
    list_display = ["reference", "grant", "amount", "status", "paid_on", "failure_reason", "exported_at"]
    list_filter = ["status"]
    search_fields = ["reference", "bank_reference"]


@admin.register(DepartmentHead)
class DepartmentHeadAdmin(admin.ModelAdmin):
    list_display = ["department", "user"]
    autocomplete_fields = ["user"]
    list_select_related = ["department", "user"]


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "account_name", "bank_name", "masked", "source", "updated_at"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    raw_id_fields = ["enterprise"]

    @admin.display(description="账号")
    def masked(self, obj):
        return obj.masked_number
