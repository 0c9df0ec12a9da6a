"""Admin of the registry: enterprises with their indicators and qualifications inline, import
and export (Excel/CSV, dry-run preview), personal data masked, the audit history; and the
indicator definitions and tag vocabulary officials maintain without code changes."""

from __future__ import annotations

from auditlog.mixins import AuditlogHistoryAdminMixin
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from matching.criteria import vocabulary_load
from portal.accounts.admin_masking import PersonalDataMaskingMixin

from . import reference, services
from .cleaning import clean_indicator_value
from .models import Enterprise, EnterpriseTag, IndicatorDefinition, IndicatorValue, TagDefinition
from .resources import EnterpriseResource


class DistrictFilter(admin.SimpleListFilter):
    title = _("行政区划")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        return [(reference.CITY_CODE, "郑州市（区县未知）"), *reference.zhengzhou_districts().items()]

    def queryset(self, request, queryset):
        return queryset.filter(district=self.value()) if self.value() else queryset


class ZoneFilter(admin.SimpleListFilter):
    title = _("功能区")
    parameter_name = "zone"

    def lookups(self, request, model_admin):
        return [("none", "不在功能区"), *reference.zhengzhou_zones().items()]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(zone="")
        return queryset.filter(zone=self.value()) if self.value() else queryset


class SectionFilter(admin.SimpleListFilter):
    title = _("行业门类")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        return [(code, f"{code} {name}") for code, name in reference.industry_sections().items()]

    def queryset(self, request, queryset):
        return queryset.filter(industry__startswith=self.value()) if self.value() else queryset


class TagFilter(admin.SimpleListFilter):
    title = _("资质标签")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return list(TagDefinition.objects.values_list("id", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(tags__tag_id=self.value())


class EnterpriseForm(forms.ModelForm):
    """Normalises codes as the services do (code or Chinese name in, code stored)."""

    class Meta:
        model = Enterprise
        fields = ["credit_code", "name", "district", "zone", "industry", "established_on", "registered_capital",
                  "address", "legal_representative", "contact_name", "contact_phone", "contact_email",
                  "needs_review", "review_reason"]  # fmt: skip

    def clean_credit_code(self):
        try:
            self._check = reference.validate_credit_code(self.cleaned_data["credit_code"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return self._check.code

    def clean_district(self):
        return reference.normalize_district(self.cleaned_data["district"])

    def clean_zone(self):
        return reference.normalize_zone(self.cleaned_data.get("zone") or "")

    def clean_industry(self):
        value = self.cleaned_data.get("industry") or ""
        return reference.normalize_industry(value, allow_section=False) if value else ""

    def clean_registered_capital(self):
        value = self.cleaned_data.get("registered_capital")
        if value is not None and value < 0:
            raise ValidationError("注册资本不能为负数")
        return value


class IndicatorValueForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["indicator", "period", "value", "text_value", "source", "as_of"]

    def clean(self):
        data = super().clean()
        indicator = data.get("indicator")
        if indicator is None:
            return data
        raw = data.get("text_value") if indicator.type == "code" else data.get("value")
        try:
            cleaned = clean_indicator_value(
                code=indicator.code, period=data.get("period") or "", value=raw, vocabulary=vocabulary_load()
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        data["period"] = cleaned["period"]
        self.instance.period_start = cleaned["period_start"]
        self.instance.period_end = cleaned["period_end"]
        return data


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    form = IndicatorValueForm
    extra = 0
    fields = ["indicator", "period", "value", "text_value", "source", "as_of", "updated_at"]
    readonly_fields = ["updated_at"]
    ordering = ["indicator__code", "-period"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")


class EnterpriseTagInline(admin.TabularInline):
    model = EnterpriseTag
    extra = 0
    fields = ["tag", "recognized_on", "expires_on", "first_time", "source"]


@admin.register(Enterprise)
class EnterpriseAdmin(PersonalDataMaskingMixin, AuditlogHistoryAdminMixin, ImportExportModelAdmin):
    form = EnterpriseForm
    resource_classes = [EnterpriseResource]
    formats = [base_formats.CSV, base_formats.XLSX]
    from_encoding = "utf-8-sig"
    personal_data_fields = {"contact_phone": "phone", "contact_email": "email"}
    list_display = ["name", "credit_code", "district_display", "zone_display", "industry", "scale", "needs_review",
                    "contact_phone"]  # fmt: skip
    list_filter = [
        DistrictFilter,
        ZoneFilter,
        SectionFilter,
        "scale",
        TagFilter,
        "needs_review",
        "entity_type",
    ]
    search_fields = ["name", "=credit_code"]
    readonly_fields = ["entity_type", "scale", "history_link", "created_at", "updated_at"]
    inlines = [EnterpriseTagInline, IndicatorValueInline]
    show_full_result_count = False  # 1,000,000 rows: no second COUNT(*) per page
    list_per_page = 50
    show_auditlog_history_link = False
    fieldsets = [
        (None, {"fields": ["credit_code", "name", "entity_type", "district", "zone", "industry", "scale"]}),
        (
            _("登记信息"),
            {"fields": ["established_on", "registered_capital", "address", "legal_representative"]},
        ),
        (_("联系人"), {"fields": ["contact_name", "contact_phone", "contact_email"]}),
        (
            _("核验"),
            {"fields": ["needs_review", "review_reason", "history_link", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(description=_("行政区划"), ordering="district")
    def district_display(self, obj):
        return reference.district_name(obj.district)

    @admin.display(description=_("功能区"), ordering="zone")
    def zone_display(self, obj):
        return reference.zone_name(obj.zone)

    @admin.display(description=_("变更记录"))
    def history_link(self, obj):
        if not obj or not obj.pk:
            return "-"
        url = reverse("admin:enterprises_enterprise_auditlog", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, "查看谁在何时改了什么")

    def save_model(self, request, obj, form, change):
        check = getattr(form, "_check", None) or reference.validate_credit_code(obj.credit_code)
        obj.entity_type = check.entity_type
        if not change:
            obj.needs_review = not check.org_code_ok
            if not check.org_code_ok:
                obj.review_reason = "组织机构代码校验位（第17位）不符，请人工核验"
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Scale follows industry and the latest employees/revenue/assets; the change re-matches.
        services.enterprise_profile_changed(enterprise_ids=[form.instance.pk])


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "unit", "periodicity", "builtin"]
    list_filter = ["type", "periodicity", "builtin"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # A built-in indicator's code, type and periodicity are what the code relies on.
        if obj is not None and obj.builtin:
            return ["code", "type", "periodicity", "builtin"]
        return ["builtin"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.builtin or obj.values.exists()):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(TagDefinition)
class TagDefinitionAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "derived", "holder_count"]
    list_filter = ["derived"]
    search_fields = ["name", "issuer"]

    @admin.display(description=_("持有企业数"))
    def holder_count(self, obj):
        return obj.n_holders

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_holders=Count("holders"))

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.holders.exists():
            return False
        return super().has_delete_permission(request, obj)
