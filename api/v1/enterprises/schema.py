"""OpenAPI documentation of the enterprise endpoints."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from api.v1.common.responses import ERROR_400, ERROR_401, ERROR_403, ERROR_404

from .serializers import (
    BulkEnterprisesSerializer,
    BulkErrorSerializer,
    BulkResultSerializer,
    EnterpriseSerializer,
    IndicatorValuesResultSerializer,
    IndicatorValuesSerializer,
)

viewset = extend_schema_view(
    list=extend_schema(
        summary="企业列表(工作人员、接入平台)",
        tags=["enterprises"],
        responses={200: EnterpriseSerializer(many=True), 401: ERROR_401, 403: ERROR_403},
    ),
    retrieve=extend_schema(
        summary="企业画像",
        tags=["enterprises"],
        responses={200: EnterpriseSerializer, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
    ),
)

create = extend_schema(
    summary="登记企业(工作人员、接入平台 enterprises:write)",
    description="画像见 DESIGN §3；派生字段(entity_type、scale、age_years)只读。统一社会信用代码自动规范化(全角、空格、连字符)。",
    request=EnterpriseSerializer,
    responses={201: EnterpriseSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
    tags=["enterprises"],
)

update = extend_schema(
    summary="更新企业画像(整体)",
    request=EnterpriseSerializer,
    responses={200: EnterpriseSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
    tags=["enterprises"],
)

partial_update = extend_schema(
    summary="更新企业画像(部分字段)",
    request=EnterpriseSerializer(partial=True),
    responses={200: EnterpriseSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
    tags=["enterprises"],
)

bulk = extend_schema(
    summary="批量登记或更新企业(最多 1000 条)",
    description="全部成功或全部不写入；以统一社会信用代码幂等。出错时返回 400，"
    '`errors` 以序号和字段为键：`{"errors": {"3": {"district": ["…"]}}}`。',
    request=BulkEnterprisesSerializer,
    responses={200: BulkResultSerializer, 400: BulkErrorSerializer, 401: ERROR_401, 403: ERROR_403},
    examples=[
        OpenApiExample(
            "批量",
            request_only=True,
            value={
                "source": "省企业服务平台",
                "enterprises": [
                    {
                        "credit_code": "91410100MA44XXXXXX",
                        "name": "郑州示例智能装备有限公司",
                        "district": "金水区",
                        "industry": "C3411",
                        "indicators": {"revenue": {"2025": "12000000"}},
                    },
                ],
            },
        ),
        OpenApiExample(
            "逐条错误",
            response_only=True,
            status_codes=["400"],
            value={"errors": {"0": {"credit_code": ["统一社会信用代码校验位不正确"]}}},
        ),
    ],
    tags=["enterprises"],
)

indicator_values = extend_schema(
    summary="推送指标数据(数据共享)",
    description="一次推送多家企业、多个期间的指标值，注明来源。值发生变化的企业自动重新匹配。"
    "全部成功或全部不写入；错误以 `values` 序号和字段为键。",
    request=IndicatorValuesSerializer,
    responses={200: IndicatorValuesResultSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
    tags=["enterprises"],
)
