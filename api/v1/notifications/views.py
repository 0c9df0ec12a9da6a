"""``/api/v1/notifications/``: what the enterprise user's inbox shows. The rows come from one
domain selector (``notifications_for_enterprise``) and are marked read by one service, so
that the inbox and the API list the same messages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api import access
from api.v1.common.base import ApiBase
from api.v1.common.responses import ERROR_401, ERROR_403, ERROR_404
from matching.models import Notification
from matching.selectors import notifications_for_enterprise
from matching.services import notification_mark_read

from .filters import NotificationFilter
from .serializers import NotificationSerializer


@extend_schema_view(
    list=extend_schema(summary="我的推送消息(企业用户)", tags=["notifications"],
                       responses={200: NotificationSerializer(many=True), 401: ERROR_401, 403: ERROR_403}),
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
        return notifications_for_enterprise(enterprise_id=self._enterprise_id())

    @extend_schema(summary="标记为已读", request=None, responses={204: None, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
                   tags=["notifications"])
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        enterprise_id = self._enterprise_id()
        if not str(pk).isdigit() or not notification_mark_read(notification_id=int(pk), enterprise_id=enterprise_id):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)
