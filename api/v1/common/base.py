"""The base of every endpoint: authentication, throttling, pagination, JSON errors."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

from api import access
from api.authentication import ApiKeyAuthentication, HashedTokenAuthentication
from api.exceptions import api_exception_handler
from api.models import AuthToken
from api.schema import ApiAutoSchema
from api.throttling import AnonRateThrottle, ApiKeyRateThrottle, UserRateThrottle
from portal.audittrail.context import api_caller_set as audit_caller_set

from .pagination import Pagination
from .parsers import StrictJSONParser


class ApiBase:
    """Authentication, throttling and pagination shared by every endpoint."""

    authentication_classes = [ApiKeyAuthentication, HashedTokenAuthentication, SessionAuthentication]
    throttle_classes = [AnonRateThrottle, ApiKeyRateThrottle, UserRateThrottle]
    pagination_class = Pagination
    permission_classes = [AllowAny]  # each view decides, row by row (api.access)
    parser_classes = [StrictJSONParser]
    schema = ApiAutoSchema()
    public = False  # schema: anonymous callers allowed on every method
    public_actions: tuple = ()  # schema: … on these viewset actions

    def get_exception_handler(self):
        return api_exception_handler

    def perform_authentication(self, request):
        super().perform_authentication(request)
        # The audit middleware ran before DRF knew the caller: name the token's person or the
        # API key (and its platform account) as the actor of what this request writes.
        user = request.user
        if access.is_integrator(user):
            key = user.api_key
            audit_caller_set(actor=key.account, via="api-key",
                             api_key={"id": key.pk, "prefix": key.prefix, "name": key.name})  # fmt: skip
        else:
            audit_caller_set(actor=user, via="api-token" if isinstance(request.auth, AuthToken) else "api")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        # One "today" for the whole answer: Shanghai's date (Policy.is_open, age_years).
        context["today"] = timezone.localdate()
        context["language"] = get_language() or "zh-hans"
        return context


def raw_subset(data, fields) -> dict:
    """The client's own JSON for the writable fields (the services parse and normalise it)."""
    return {k: data[k] for k in fields if k in data}


def actor(user):
    """The person to record as author; ``None`` (the system) for an API key, whose
    department the API has already checked."""
    if access.is_integrator(user):
        return None
    return user


def source_of(request) -> str:
    """The data source recorded for what a caller writes: ``api:<key name or username>``."""
    user = request.user
    if access.is_integrator(user):
        return f"api:{user.api_key.name}"[:60]
    return f"api:{getattr(user, 'username', '')}"[:60]


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer JSON, like every other API error (whatever the method)."""
    return JsonResponse({"detail": str(_("未找到。"))}, status=404)
