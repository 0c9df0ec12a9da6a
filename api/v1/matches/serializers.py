from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.v1.common.fields import StrictCharField


class MatchSerializer(serializers.Serializer):
    policy = serializers.IntegerField(label=_("政策编号"))
    title = StrictCharField(label=_("政策标题"))
    status = StrictCharField(label=_("匹配状态"))
    amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, label=_("预计金额(元)")
    )
    reasons = serializers.JSONField(label=_("符合的条件"))
    missing = serializers.JSONField(label=_("需补充的数据"))
    matched_at = serializers.DateTimeField(label=_("匹配时间"))
