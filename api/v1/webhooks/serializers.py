from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.v1.common.fields import StrictCharField
from enterprises.models import Enterprise
from enterprises.reference import normalize_credit_code
from matching.models import WebhookEvent
from matching.webhooks import webhook_url_check


class WebhookSubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(max_length=500, label=_("回调地址"))
    events = serializers.ListField(child=StrictCharField(), required=False, label=_("订阅事件(空为全部)"))
    enterprise = StrictCharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        label=_("企业统一社会信用代码(订阅该企业的匹配事件)"),
    )
    active = serializers.BooleanField(required=False, default=True, label=_("启用"))
    created_at = serializers.DateTimeField(read_only=True)

    def validate_url(self, value):
        # the domain's rule (public HTTPS targets), reported with the other fields' errors
        try:
            webhook_url_check(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["url"]) from None
        return value

    def validate_events(self, value):
        known = {code for code, _label in WebhookEvent.choices}
        unknown = [e for e in value if e not in known]
        if unknown:
            raise serializers.ValidationError(
                _("未知的事件：%(events)s；可订阅：%(known)s")
                % {"events": ", ".join(unknown), "known": ", ".join(sorted(known))}
            )
        return sorted(set(value))

    def validate_enterprise(self, value):
        if not value:
            return None
        enterprise = Enterprise.objects.filter(credit_code=normalize_credit_code(value)).first()
        if enterprise is None:
            raise serializers.ValidationError(_("未登记的统一社会信用代码。"))
        return enterprise

    def to_representation(self, sub):
        return {
            "id": sub.pk,
            "url": sub.url,
            "events": list(sub.events or []),
            "enterprise": sub.enterprise.credit_code if sub.enterprise_id else None,
            "active": sub.active,
            "created_at": serializers.DateTimeField().to_representation(sub.created_at),
        }


class WebhookSecretSerializer(WebhookSubscriptionSerializer):
    secret = StrictCharField(read_only=True, label=_("签名密钥(仅在创建时显示一次)"))

    def to_representation(self, sub):
        return super().to_representation(sub) | {"secret": sub.secret}


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = StrictCharField()
    status = StrictCharField()
    attempts = serializers.IntegerField()
    response_code = serializers.IntegerField(allow_null=True)
    error = StrictCharField()
    duration_ms = serializers.IntegerField(allow_null=True)
    payload = serializers.JSONField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
