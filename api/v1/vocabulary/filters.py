import django_filters
from django.utils.translation import gettext_lazy as _

from api.v1.common.filters import StrictFilterSet
from enterprises.models import IndicatorDefinition, Periodicity, TagDefinition
from policies.models import Department, DepartmentLevel


class DepartmentFilter(StrictFilterSet):
    level = django_filters.ChoiceFilter(choices=DepartmentLevel.choices, label=_("层级"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级部门代码"))
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))

    class Meta:
        model = Department
        fields = ["level", "parent", "name"]


class TagFilter(StrictFilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    derived = django_filters.BooleanFilter(label=_("系统画像标签"))

    class Meta:
        model = TagDefinition
        fields = ["name", "derived"]


class IndicatorFilter(StrictFilterSet):
    periodicity = django_filters.ChoiceFilter(choices=Periodicity.choices, label=_("周期"))
    builtin = django_filters.BooleanFilter(label=_("内置"))

    class Meta:
        model = IndicatorDefinition
        fields = ["type", "periodicity", "builtin"]
