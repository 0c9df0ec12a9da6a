"""OpenAPI documentation of the webhook endpoints."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from api.v1.common.responses import EXAMPLE_CREDIT_CODE, answers, example

from .serializers import WebhookDeliverySerializer, WebhookSecretSerializer, WebhookSubscriptionSerializer

WEBHOOK_DESCRIPTION = (
    "接入平台(密钥需 `webhooks:manage`)登记回调地址和事件。每次推送为 JSON POST，带请求头 "
    "`X-Portal-Event`、`X-Portal-Delivery`、`X-Portal-Timestamp`(Unix 秒)与 `X-Portal-Signature: sha256=<hex>`，签名为 "
    'HMAC-SHA256(订阅密钥, 时间戳 + "." + 请求体)；时间戳与当前时间相差超过 5 分钟的请求应拒绝(防重放)。'
    "失败按退避重试，记录在投递日志中。"
)

viewset = extend_schema_view(
    list=extend_schema(
        summary="我的 Webhook 订阅",
        description=WEBHOOK_DESCRIPTION,
        tags=["webhooks"],
        responses=answers(WebhookSubscriptionSerializer(many=True), 401, 403),
    ),
    retrieve=extend_schema(
        summary="Webhook 订阅详情",
        tags=["webhooks"],
        responses=answers(WebhookSubscriptionSerializer, 401, 403, 404),
    ),
    create=extend_schema(
        summary="登记 Webhook",
        description=WEBHOOK_DESCRIPTION,
        tags=["webhooks"],
        request=WebhookSubscriptionSerializer,
        responses=answers(WebhookSecretSerializer, 400, 401, 403, status=201),
        examples=[
            example(
                "订阅",
                {
                    "url": "https://qyfw.henan.example.gov.cn/hooks/zz-policy",
                    "events": ["match.created", "match.ended"],
                    "enterprise": EXAMPLE_CREDIT_CODE,
                },
            )
        ],
    ),
    partial_update=extend_schema(
        summary="修改 Webhook",
        tags=["webhooks"],
        request=WebhookSubscriptionSerializer(partial=True),
        responses=answers(WebhookSubscriptionSerializer, 400, 401, 403, 404),
    ),
    update=extend_schema(
        summary="替换 Webhook",
        tags=["webhooks"],
        request=WebhookSubscriptionSerializer,
        responses=answers(WebhookSubscriptionSerializer, 400, 401, 403, 404),
    ),
    destroy=extend_schema(
        summary="删除 Webhook",
        tags=["webhooks"],
        responses=answers(None, 401, 403, 404, status=204),
    ),
)

deliveries = extend_schema(
    summary="Webhook 投递日志",
    tags=["webhooks"],
    responses=answers(WebhookDeliverySerializer(many=True), 401, 403, 404),
)
