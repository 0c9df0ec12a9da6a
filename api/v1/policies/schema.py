"""OpenAPI documentation of the policy endpoints."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from api.v1.common.responses import answers, example, operation

from .serializers import PolicyListSerializer, PolicySerializer, PolicyWriteSerializer, ReachSerializer

viewset = extend_schema_view(
    list=extend_schema(
        summary="政策列表与检索",
        responses={200: PolicyListSerializer(many=True)},
        description="已发布的政策。`q` 为中文全文检索(分词、按相关度排序，结果含高亮摘要 `snippet`)。"
        "本部门工作人员可用 `status` 查看本部门草稿等其他状态的政策。",
        parameters=[
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                enum=["relevance", "newest", "deadline"],
                description="排序：relevance 相关度(有 q 时默认)、newest 最新发布(无 q 时默认)、deadline 截止日期最近",
            ),
        ],
        tags=["policies"],
    ),
    retrieve=extend_schema(summary="政策详情", responses=answers(PolicySerializer, 404), tags=["policies"]),
)

create = operation(
    "policies",
    "起草政策(工作人员)",
    PolicySerializer,
    400,
    401,
    403,
    status=201,
    description="由本部门工作人员起草，返回 201，状态为 `draft`。申报条件和奖补金额按 DESIGN §4 校验，出错时给出路径。",
    request=PolicyWriteSerializer,
)
partial_update = operation(
    "policies",
    "修改政策(工作人员)",
    PolicySerializer,
    400,
    401,
    403,
    404,
    request=PolicyWriteSerializer(partial=True),
)
publish = operation(
    "policies",
    "发布政策(本部门审核人员)",
    PolicySerializer,
    400,
    401,
    403,
    404,
    description="草稿或待审核的政策发布后立即开始匹配全市企业，并向符合条件的企业推送。",
    request=None,
)

reach = extend_schema(
    summary="政策触达测算(工作人员)",
    description="草稿或已发布政策能触达的企业数，按区县、行业门类分布，以及奖补总额(元)。",
    responses=answers(ReachSerializer, 401, 403, 404),
    examples=[
        example(
            "触达",
            {
                "as_of": "2026-11-27",
                "count": 1280,
                "eligible": 1030,
                "possible": 250,
                "by_district": [{"code": "410122", "name": "中牟县", "eligible": 400, "possible": 20}],
                "by_industry": [{"code": "C", "name": "制造业", "eligible": 800, "possible": 100}],
                "total_award": "206000000.00",
                "award_unknown": 0,
            },
            response=True,
        )
    ],
    tags=["policies"],
)
