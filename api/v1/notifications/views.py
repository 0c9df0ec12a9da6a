"""``/api/v1/notifications/``: what the enterprise user's inbox shows, match pushes and
application / appeal / grant messages. The rows come from one domain selector
(``inbox.selectors.notifications_for_enterprise``, which the 消息 page uses too) and are marked
read by one service, so that the inbox and the API list the same messages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import access
from api.v1.common.base import ApiBase
from api.v1.common.responses import ERROR_401, ERROR_403, ERROR_404
from inbox.selectors import SOURCE_MESSAGE, SOURCE_NOTIFICATION, notifications_for_enterprise
from inbox.services import inbox_item_mark_read
from matching.models import Notification

from .filters import NotificationFilter
from .serializers import NotificationSerializer


@extend_schema_view(
    list=extend_schema(
        summary="我的推送消息(企业用户)",
        tags=["notifications"],
        responses={200: NotificationSerializer(many=True), 401: ERROR_401, 403: ERROR_403},
    ),
)
class NotificationViewSet(ApiBase, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]
    lookup_value_regex = r"\d+"

    def _enterprise_id(self) -> int:
        user = self.request.user
        enterprise_id = access.enterprise_id_of(user)
        access.require(user, enterprise_id is not None, _("仅企业用户可以查看推送消息。"))
        return enterprise_id

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        enterprise_id = self._enterprise_id()
        params = NotificationFilter(self.request.query_params, queryset=Notification.objects.none())
        if not params.is_valid():
            raise ValidationError(params.errors)
        return notifications_for_enterprise(
            enterprise_id=enterprise_id,
            unread=params.form.cleaned_data.get("unread"),
            since=params.form.cleaned_data.get("since"),
            oldest_first=self.request.query_params.get("ordering") == "created_at",
        )

    def filter_queryset(self, queryset):
        # The selector has filtered and ordered (the filter set and ``ordering`` above); the rows
        # are a union of two tables and cannot be filtered again.
        return queryset

    @extend_schema(
        summary="标记为已读",
        request=None,
        responses={204: None, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["notifications"],
        parameters=[
            OpenApiParameter(
                "source",
                OpenApiTypes.STR,
                enum=[SOURCE_NOTIFICATION, SOURCE_MESSAGE],
                default=SOURCE_NOTIFICATION,
                description="列表中该条的 source",
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        enterprise_id = self._enterprise_id()
        source = request.query_params.get("source", SOURCE_NOTIFICATION)
        if not str(pk).isdigit() or not inbox_item_mark_read(
            enterprise_id=enterprise_id, source=source, item_id=int(pk)
        ):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
