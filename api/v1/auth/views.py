"""``POST /api/v1/auth/token/``: a login token for a person (integrators use their key)."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.services import token_issue
from api.v1.common.base import ApiBase
from api.v1.common.responses import ERROR_400
from portal.accounts import second_factor

from .serializers import TokenRequestSerializer, TokenResponseSerializer


class TokenView(ApiBase, APIView):
    authentication_classes: list = []
    public = True

    @extend_schema(
        operation_id="auth_token_create",
        summary="获取登录令牌",
        description="用户名和密码换取令牌，之后以 `Authorization: Token <令牌>` 调用。令牌只保存摘要，12 小时后过期。"
        "连续 5 次失败后账号被临时锁定。工作人员还须以 `otp` 提交身份验证器上的 6 位动态验证码(或一个恢复码)。",
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: ERROR_400,
            429: OpenApiResponse(description="连续失败 5 次，账号临时锁定(见 Retry-After)"),
        },
        examples=[
            OpenApiExample(
                "登录", value={"username": "kjj_official", "password": "••••••••"}, request_only=True
            )
        ],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            # This view answers the lockout itself, as JSON with Retry-After; without this the
            # axes middleware would replace the answer with the portal's HTML lockout page.
            django_request.axes_locked_out = False

            cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
            raise Throttled(
                wait=cooloff.total_seconds() if cooloff else None,
                detail=str(_("登录失败次数过多，账号已被临时锁定，请稍后再试或联系管理员。")),
            )
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": [_("用户名或密码错误。")]})
        self._second_factor(user, serializer.validated_data.get("otp") or "")
        token, raw = token_issue(user=user)
        return Response({"token": raw, "expires_at": token.expires_at})

    @staticmethod
    def _second_factor(user, code: str) -> None:
        """Officials, staff and superusers (and enterprise users who enrolled) must add the code
        of their authenticator (or a recovery code): a password alone yields no token."""
        if not (second_factor.required_for(user) or second_factor.has_device(user)):
            return
        if not second_factor.has_device(user):
            raise ValidationError({"otp": [_("请先在网页登录并绑定身份验证器，再申请令牌。")]})
        if not code:
            raise ValidationError({"otp": [_("请填写身份验证器上的 6 位动态验证码。")]})
        result = second_factor.check_code(user, code)
        if result.device is None:
            raise ValidationError({"otp": [second_factor.wrong_code_message(result)]})
