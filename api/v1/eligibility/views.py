"""``POST /api/v1/eligibility/``: a stated profile against every published policy in force,
by the domain's one eligibility service (``matching.eligibility.eligibility_for_profile``),
the same the portal's calculator uses. Nothing is stored."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.throttling import ScopedRateThrottle
from api.v1.common.base import ApiBase
from api.v1.common.responses import ERROR_400
from matching.eligibility import eligibility_for_profile

from .serializers import EligibilityRequestSerializer, EligibilityResponseSerializer


class EligibilityView(ApiBase, APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "eligibility"
    authentication_classes: list = []
    public = True

    @extend_schema(
        summary="政策测算(任何人，限流)",
        description="提交一份企业画像(§3，可直接给出 scale、entity_type 等派生字段)，对全部已发布政策测算："
        "符合、可能符合(缺哪些数据)、差一点符合(差在哪里)。不保存任何数据。",
        request=EligibilityRequestSerializer,
        responses={
            200: EligibilityResponseSerializer,
            400: ERROR_400,
            429: OpenApiResponse(description="请求过于频繁，见 Retry-After"),
        },
        examples=[
            OpenApiExample(
                "测算",
                request_only=True,
                value={
                    "profile": {
                        "district": "410122",
                        "industry": "C3411",
                        "established_on": "2018-06-01",
                        "registered_capital": "5000000",
                        "tags": ["高新技术企业"],
                        "indicators": {"revenue": {"2025": "12000000"}, "employees": {"2025": "85"}},
                    },
                    "as_of": "2026-11-27",
                },
            )
        ],
        tags=["eligibility"],
    )
    def post(self, request):
        serializer = EligibilityRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = eligibility_for_profile(
            profile=serializer.validated_data["profile"],
            as_of=serializer.validated_data.get("as_of") or timezone.localdate(),
        )
        return Response(EligibilityResponseSerializer(EligibilityResponseSerializer.answer(result)).data)
