"""Error answers as documented on each operation (``api.schema`` adds the defaults)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

ERROR_400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='输入有误：按字段给出原因，如 `{"district": ["未知的行政区划：郑州东"]}`',
    examples=[OpenApiExample("字段错误", value={"district": ["未知的行政区划：郑州东"]})],
)
ERROR_401 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="未提供或无效的令牌/密钥")
ERROR_403 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="已认证但无此权限(或缺少密钥权限范围)")
ERROR_404 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="不存在，或调用方无权查看")
