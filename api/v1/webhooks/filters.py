import django_filters
from django.utils.translation import gettext_lazy as _

from api.v1.common.filters import StrictFilterSet
from matching.models import WebhookSubscription


class WebhookFilter(StrictFilterSet):
    active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = WebhookSubscription
        fields = ["active"]
