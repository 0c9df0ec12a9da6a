import django_filters
from django.utils.translation import gettext_lazy as _

from api.v1.common.filters import StrictFilterSet
from matching.models import Notification


class NotificationFilter(StrictFilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("仅未读"))
    since = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("创建时间不早于")
    )

    class Meta:
        model = Notification
        fields = ["unread", "since"]
