from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.v1.common.fields import StrictCharField


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(label=_("用户名"), max_length=150)
    password = StrictCharField(
        label=_("密码"), max_length=256, style={"input_type": "password"}, trim_whitespace=False
    )
    otp = StrictCharField(
        label=_("动态验证码"),
        max_length=32,
        required=False,
        help_text=_("工作人员必填：身份验证器上的 6 位验证码，或一个恢复码。"),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = StrictCharField(label=_("令牌"))
    expires_at = serializers.DateTimeField(label=_("过期时间"))
