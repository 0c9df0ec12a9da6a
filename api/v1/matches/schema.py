"""OpenAPI documentation of an enterprise's matches."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from api.v1.common.pagination import Pagination
from api.v1.common.responses import answers, example

from .serializers import MatchSerializer

matches = extend_schema(
    operation_id="v1_enterprises_matches_list",
    summary="企业的匹配政策",
    description="工作人员、持 `matches:read` 的接入平台，以及该企业自己的用户可以查看。状态为 eligible(符合) 或 "
    "possible(可能符合，需补充 missing 中的数据)。",
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=["eligible", "possible"], description="匹配状态"),
        OpenApiParameter("matched_since", OpenApiTypes.DATETIME, description="匹配时间不早于"),
        OpenApiParameter(
            "ordering",
            OpenApiTypes.STR,
            enum=["matched_at", "-matched_at", "amount", "-amount"],
            description="排序",
        ),
        *[
            OpenApiParameter(p["name"], p["schema"], description=p["description"])
            for p in Pagination().get_schema_operation_parameters(None)
        ],
    ],
    responses=answers(MatchSerializer(many=True), 400, 401, 403, 404),
    examples=[
        example(
            "匹配",
            {
                "count": 1,
                "next": None,
                "previous": None,
                "results": [
                    {
                        "policy": 12,
                        "title": "郑州市高新技术企业认定奖励",
                        "status": "eligible",
                        "amount": "300000.00",
                        "reasons": ["注册地在郑州市：是(410122)"],
                        "missing": [],
                        "matched_at": "2026-11-27T10:00:00+08:00",
                    }
                ],
            },
            response=True,
        )
    ],
    tags=["matches"],
    filters=False,
)
