"""OpenAPI documentation of the enterprise endpoints."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from api.v1.common.responses import EXAMPLE_CREDIT_CODE, answers, example, operation

from .serializers import (
    BulkEnterprisesSerializer,
    BulkErrorSerializer,
    BulkResultSerializer,
    EnterpriseSerializer,
    IndicatorValuesResultSerializer,
    IndicatorValuesSerializer,
)

viewset = extend_schema_view(
    list=operation("enterprises", "企业列表(工作人员、接入平台)", EnterpriseSerializer(many=True), 401, 403),
    retrieve=operation("enterprises", "企业画像", EnterpriseSerializer, 401, 403, 404),
)

create = operation(
    "enterprises",
    "登记企业(工作人员、接入平台 enterprises:write)",
    EnterpriseSerializer,
    400,
    401,
    403,
    status=201,
    description="画像见 DESIGN §3；派生字段(entity_type、scale、age_years)只读。统一社会信用代码自动规范化(全角、空格、连字符)。",
    request=EnterpriseSerializer,
)
update = operation(
    "enterprises",
    "更新企业画像(整体)",
    EnterpriseSerializer,
    400,
    401,
    403,
    404,
    request=EnterpriseSerializer,
)
partial_update = operation(
    "enterprises",
    "更新企业画像(部分字段)",
    EnterpriseSerializer,
    400,
    401,
    403,
    404,
    request=EnterpriseSerializer(partial=True),
)

bulk = extend_schema(
    summary="批量登记或更新企业(最多 1000 条)",
    description="全部成功或全部不写入；以统一社会信用代码幂等。出错时返回 400，"
    '`errors` 以序号和字段为键：`{"errors": {"3": {"district": ["…"]}}}`。',
    request=BulkEnterprisesSerializer,
    responses=answers(BulkResultSerializer, 401, 403) | {400: BulkErrorSerializer},
    examples=[
        example(
            "批量",
            {
                "source": "省企业服务平台",
                "enterprises": [
                    {
                        "credit_code": EXAMPLE_CREDIT_CODE,
                        "name": "郑州示例智能装备有限公司",
                        "district": "金水区",
                        "industry": "C3411",
                        "indicators": {"revenue": {"2025": "12000000"}},
                    },
                ],
            },
        ),
        example(
            "逐条错误",
            {"errors": {"0": {"credit_code": ["统一社会信用代码校验位不正确"]}}},
            response=True,
            status=400,
        ),
    ],
    tags=["enterprises"],
)

indicator_values = extend_schema(
    summary="推送指标数据(数据共享)",
    description="一次推送多家企业、多个期间的指标值，注明来源。值发生变化的企业自动重新匹配。"
    "全部成功或全部不写入；错误以 `values` 序号和字段为键。",
    request=IndicatorValuesSerializer,
    responses=answers(IndicatorValuesResultSerializer, 400, 401, 403),
    tags=["enterprises"],
)
