"""The base of the list endpoints' django-filter filter sets."""

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
