"""OpenAPI documentation of the webhook endpoints."""

from drf_spectacular.utils import extend_schema_view

from api.v1.common.responses import EXAMPLE_CREDIT_CODE, example, operation

from .serializers import WebhookDeliverySerializer, WebhookSecretSerializer, WebhookSubscriptionSerializer

WEBHOOK_DESCRIPTION = (
    "接入平台(密钥需 `webhooks:manage`)登记回调地址和事件。每次推送为 JSON POST，带请求头 "
    "`X-Portal-Event`、`X-Portal-Delivery`、`X-Portal-Timestamp`(Unix 秒)与 `X-Portal-Signature: sha256=<hex>`，签名为 "
    'HMAC-SHA256(订阅密钥, 时间戳 + "." + 请求体)；时间戳与当前时间相差超过 5 分钟的请求应拒绝(防重放)。'
    "失败按退避重试，记录在投递日志中。"
)

viewset = extend_schema_view(
    list=operation(
        "webhooks",
        "我的 Webhook 订阅",
        WebhookSubscriptionSerializer(many=True),
        401,
        403,
        description=WEBHOOK_DESCRIPTION,
    ),
    retrieve=operation("webhooks", "Webhook 订阅详情", WebhookSubscriptionSerializer, 401, 403, 404),
    create=operation(
        "webhooks",
        "登记 Webhook",
        WebhookSecretSerializer,
        400,
        401,
        403,
        status=201,
        description=WEBHOOK_DESCRIPTION,
        request=WebhookSubscriptionSerializer,
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
    partial_update=operation(
        "webhooks",
        "修改 Webhook",
        WebhookSubscriptionSerializer,
        400,
        401,
        403,
        404,
        request=WebhookSubscriptionSerializer(partial=True),
    ),
    update=operation(
        "webhooks",
        "替换 Webhook",
        WebhookSubscriptionSerializer,
        400,
        401,
        403,
        404,
        request=WebhookSubscriptionSerializer,
    ),
    destroy=operation("webhooks", "删除 Webhook", None, 401, 403, 404, status=204),
)

deliveries = operation("webhooks", "Webhook 投递日志", WebhookDeliverySerializer(many=True), 401, 403, 404)
