"""django-filter filter sets of the list endpoints."""

import django_filters
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, IndicatorDefinition, Periodicity, Scale, TagDefinition
from matching.models import Match, Notification, WebhookSubscription
from policies.models import BenefitType, Department, DepartmentLevel, Policy, PolicyLevel, PolicyStatus
from policies.selectors import policies_open_q


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


BOOLEAN_WORDS = {"true", "false", "1", "0"}


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


class PolicyFilter(StrictFilterSet):
    """``q`` is applied by the policy search selector, not here (it also ranks)."""

    q = django_filters.CharFilter(method="no_op", label=_("全文检索(中文)"))
    level = django_filters.ChoiceFilter(choices=PolicyLevel.choices, label=_("层级"))
    department = django_filters.CharFilter(field_name="department__code", label=_("牵头部门代码"))
    benefit_type = django_filters.ChoiceFilter(choices=BenefitType.choices, label=_("支持方式"))
    auto_grant = django_filters.BooleanFilter(label=_("免申即享"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("正在申报期内"))
    industry = django_filters.CharFilter(method="no_op", label=_("适用行业(如 C、C34)"))
    district = django_filters.CharFilter(method="no_op", label=_("适用区划或功能区代码"))
    status = django_filters.ChoiceFilter(choices=PolicyStatus.choices, label=_("状态(仅本部门工作人员)"))

    class Meta:
        model = Policy
        fields = ["q", "level", "department", "benefit_type", "auto_grant", "open", "industry", "district", "status"]

    def no_op(self, queryset, name, value):
        return queryset

    def filter_open(self, queryset, name, value):
        open_q = policies_open_q()
        return queryset.filter(open_q) if value else queryset.exclude(open_q)


class EnterpriseFilter(StrictFilterSet):
    district = django_filters.CharFilter(field_name="district", lookup_expr="startswith", label=_("行政区划(前缀)"))
    zone = django_filters.CharFilter(label=_("功能区代码"))
    industry = django_filters.CharFilter(field_name="industry", lookup_expr="startswith", label=_("行业代码(前缀)"))
    scale = django_filters.ChoiceFilter(choices=Scale.choices, label=_("企业规模"))
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))
    tag = django_filters.CharFilter(field_name="tags__tag__name", label=_("持有资质"))
    needs_review = django_filters.BooleanFilter(label=_("待人工核验"))
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", label=_("更新时间不早于"))

    class Meta:
        model = Enterprise
        fields = ["district", "zone", "industry", "scale", "name", "tag", "needs_review", "updated_since"]


class MatchFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("eligible", _("符合条件")), ("possible", _("可能符合"))], label=_("匹配状态")
    )
    matched_since = django_filters.IsoDateTimeFilter(field_name="matched_at", lookup_expr="gte", label=_("匹配时间不早于"))

    class Meta:
        model = Match
        fields = ["status", "matched_since"]


class NotificationFilter(StrictFilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("仅未读"))
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("创建时间不早于"))

    class Meta:
        model = Notification
        fields = ["unread", "since"]


class WebhookFilter(StrictFilterSet):
    active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = WebhookSubscription
        fields = ["active"]
