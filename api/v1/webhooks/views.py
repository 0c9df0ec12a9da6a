"""``/api/v1/webhooks/``: an integrating platform's webhook subscriptions and their delivery log."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import access
from api.v1.common.base import ApiBase
from matching import webhooks
from matching.models import WebhookSubscription

from . import schema
from .filters import WebhookFilter
from .serializers import WebhookDeliverySerializer, WebhookSecretSerializer, WebhookSubscriptionSerializer


@schema.viewset
class WebhookSubscriptionViewSet(ApiBase, viewsets.ModelViewSet):
    serializer_class = WebhookSubscriptionSerializer
    ordering_fields = ["created_at", "id"]
    filterset_class = WebhookFilter
    lookup_value_regex = r"\d+"

    def _account(self):
        user = self.request.user
        access.require(
            user, access.has_scope(user, "webhooks:manage"), _("需要权限范围 webhooks:manage 的接入密钥。")
        )
        return user.api_key.account

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return (
            WebhookSubscription.objects.filter(owner=self._account())
            .select_related("enterprise")
            .order_by("id")
        )

    def get_object(self):
        pk = self.kwargs.get("pk")
        obj = self.get_queryset().filter(pk=pk).first() if str(pk).isdigit() else None
        if obj is None:
            raise NotFound()
        return obj

    def _check_enterprise(self, enterprise):
        user = self.request.user
        if enterprise is not None and not (
            access.has_scope(user, "matches:read") or access.can_read_enterprises(user)
        ):
            raise ValidationError(
                {"enterprise": [_("订阅企业事件需要 matches:read 或 enterprises:read 权限范围。")]}
            )

    def create(self, request, *args, **kwargs):
        account = self._account()
        serializer = WebhookSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._check_enterprise(serializer.validated_data.get("enterprise"))
        sub = webhooks.webhook_subscription_create(owner=account, **serializer.validated_data)
        return Response(WebhookSecretSerializer(sub).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        sub = self.get_object()
        serializer = WebhookSubscriptionSerializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        self._check_enterprise(serializer.validated_data.get("enterprise"))
        sub = webhooks.webhook_subscription_update(subscription=sub, **serializer.validated_data)
        return Response(WebhookSubscriptionSerializer(sub).data)

    def perform_destroy(self, instance):
        webhooks.webhook_subscription_delete(subscription=instance)

    @schema.deliveries
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        sub = self.get_object()
        page = self.paginate_queryset(sub.deliveries.order_by("-created_at", "-id"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
