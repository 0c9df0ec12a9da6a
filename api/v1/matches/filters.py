import django_filters
from django.utils.translation import gettext_lazy as _

from api.v1.common.filters import StrictFilterSet
from matching.models import Match


class MatchFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("eligible", _("符合条件")), ("possible", _("可能符合"))], label=_("匹配状态")
    )
    matched_since = django_filters.IsoDateTimeFilter(
        field_name="matched_at", lookup_expr="gte", label=_("匹配时间不早于")
    )

    class Meta:
        model = Match
        fields = ["status", "matched_since"]
