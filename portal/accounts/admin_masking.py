"""Admin mixin that masks personal data for viewers without ``enterprises.view_personal_data``.

Usage (any ModelAdmin, also with django-import-export's ExportMixin — put this mixin first)::

    class EnterpriseAdmin(PersonalDataMaskingMixin, ImportExportModelAdmin):
        personal_data_fields = {"contact_phone": "phone", "contact_email": "email",
                                "legal_representative": "name"}

For such a viewer the listed fields are replaced by masked, read-only values in the change
list, the change form and exports, and are dropped from the search fields (searching by a
phone number would reveal it).
"""

from __future__ import annotations

from django.contrib import admin

from .masking import MASKERS, can_see_personal_data


class PersonalDataMaskingMixin:
    personal_data_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, kind in self.personal_data_fields.items():
            setattr(self, self._masked_name(name), self._masked_display(name, kind))

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _masked_name(name: str) -> str:
        return f"masked_{name}"

    def _masked_display(self, name: str, kind: str):
        field = self.model._meta.get_field(name)
        mask = MASKERS[kind]

        @admin.display(description=field.verbose_name)
        def display(obj):
            return mask(getattr(obj, name, ""))

        return display

    def _swap(self, names):
        return [
            self._masked_name(n) if isinstance(n, str) and n in self.personal_data_fields else n
            for n in names
        ]

    def _masking_for(self, request) -> bool:
        return bool(self.personal_data_fields) and not can_see_personal_data(request.user)

    # --- admin hooks ----------------------------------------------------------------------------
    def get_list_display(self, request):
        names = super().get_list_display(request)
        return self._swap(names) if self._masking_for(request) else names

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        return self._swap(links) if links and self._masking_for(request) else links

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if not self._masking_for(request):
            return fields
        return [f for f in fields if f.lstrip("^=@") not in self.personal_data_fields]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return self._swap(fields) if self._masking_for(request) else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._masking_for(request):
            return fieldsets
        return [
            (title, {**opts, "fields": self._swap_nested(opts.get("fields", ()))})
            for title, opts in fieldsets
        ]

    def _swap_nested(self, fields):
        return [tuple(self._swap(f)) if isinstance(f, (list, tuple)) else self._swap([f])[0] for f in fields]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self._masking_for(request):
            fields += [self._masked_name(n) for n in self.personal_data_fields]
        return fields

    def get_exclude(self, request, obj=None):
        exclude = super().get_exclude(request, obj)
        if not self._masking_for(request):
            return exclude
        return [*(exclude or ()), *self.personal_data_fields]

    # django-import-export: the exported file is masked as well
    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        if not self._masking_for(request):
            return data
        kinds = {}
        for name, kind in self.personal_data_fields.items():
            kinds[name] = kind
            kinds[str(self.model._meta.get_field(name).verbose_name)] = kind
        for index, header in enumerate(data.headers or []):
            kind = kinds.get(str(header))
            if kind:
                column = [MASKERS[kind](value) for value in data.get_col(index)]
                del data[str(header)]
                data.insert_col(index, column, header=header)
        return data
