"""The base of the list endpoints' django-filter filter sets."""

from datetime import UTC, datetime

import django_filters
from django.utils.translation import gettext_lazy as _

BOOLEAN_WORDS = {"true", "false", "1", "0"}


class StrictFilterSet(django_filters.FilterSet):
    """An empty value for a typed filter (``?updated_since=``) is an error, not "no filter"."""

    def is_valid(self):
        valid = super().is_valid()
        for name, flt in self.filters.items():
            if isinstance(flt, django_filters.CharFilter) or name not in self.data:
                continue
            value = self.data.get(name)
            if name in self.form.errors:
                continue
            if value == "":
                self.form.add_error(name, _("不能为空值；不筛选时请省略该参数。"))
                valid = False
            elif isinstance(flt, django_filters.BooleanFilter) and str(value).lower() not in BOOLEAN_WORDS:
                self.form.add_error(name, _("应为 true 或 false。"))
                valid = False
        return valid

    def get_form_class(self):
        return type(f"{type(self).__name__}Form", (_InstantsInUtc, super().get_form_class()), {})


class _InstantsInUtc:
    """Date-times are compared in UTC: any offset RFC 3339 allows (up to ±23:59) names an
    instant, but PostgreSQL refuses offsets beyond ±15:59 in a literal."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if not isinstance(value, datetime) or value.tzinfo is None:
                continue
            try:
                cleaned[name] = value.astimezone(UTC)
            except OverflowError:
                self.add_error(name, _("时间超出可表示的范围(0001-01-01 至 9999-12-31，UTC)。"))
        return cleaned
