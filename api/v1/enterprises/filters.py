import django_filters
from django.utils.translation import gettext_lazy as _

from api.v1.common.filters import StrictFilterSet
from enterprises.models import Enterprise, Scale


class EnterpriseFilter(StrictFilterSet):
    district = django_filters.CharFilter(
        field_name="district", lookup_expr="startswith", label=_("行政区划(前缀)")
    )
    zone = django_filters.CharFilter(label=_("功能区代码"))
    industry = django_filters.CharFilter(
        field_name="industry", lookup_expr="startswith", label=_("行业代码(前缀)")
    )
    scale = django_filters.ChoiceFilter(choices=Scale.choices, label=_("企业规模"))
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    tag = django_filters.CharFilter(field_name="tags__tag__name", label=_("持有资质"))
    needs_review = django_filters.BooleanFilter(label=_("待人工核验"))
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("更新时间不早于")
    )

    class Meta:
        model = Enterprise
        fields = ["district", "zone", "industry", "scale", "name", "tag", "needs_review", "updated_since"]
