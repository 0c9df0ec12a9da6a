"""The policy list's parameters. They are validated here and applied by the policy library's
search selectors (``policies.selectors.policy_search`` / ``policy_search_unpublished``),
which also rank; the filter set describes them in the schema."""

import django_filters
from django.utils.translation import gettext_lazy as _

from api.v1.common.filters import StrictFilterSet
from policies.models import BenefitType, Policy, PolicyLevel, PolicyStatus


class PolicyFilter(StrictFilterSet):
    q = django_filters.CharFilter(method="by_selector", label=_("全文检索(中文)"))
    level = django_filters.ChoiceFilter(choices=PolicyLevel.choices, label=_("层级"))
    department = django_filters.CharFilter(field_name="department__code", label=_("牵头部门代码"))
    benefit_type = django_filters.ChoiceFilter(choices=BenefitType.choices, label=_("支持方式"))
    auto_grant = django_filters.BooleanFilter(label=_("免申即享"))
    open = django_filters.BooleanFilter(method="by_selector", label=_("正在申报期内"))
    industry = django_filters.CharFilter(method="by_selector", label=_("适用行业(如 C、C34)"))
    district = django_filters.CharFilter(method="by_selector", label=_("适用区划或功能区代码"))
    status = django_filters.ChoiceFilter(choices=PolicyStatus.choices, label=_("状态(仅本部门工作人员)"))

    class Meta:
        model = Policy
        fields = [
            "q",
            "level",
            "department",
            "benefit_type",
            "auto_grant",
            "open",
            "industry",
            "district",
            "status",
        ]

    def by_selector(self, queryset, name, value):
        return queryset

    def selector_filters(self) -> dict:
        """The validated values as the search selectors take them (``q`` and ``status`` apart)."""
        data = self.form.cleaned_data
        return {k: v for k, v in data.items() if k not in ("q", "status") and v not in (None, "")}
