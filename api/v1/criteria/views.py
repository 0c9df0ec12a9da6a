"""``POST /api/v1/criteria/draft/``: a policy text → proposed criteria and award, by the
domain's drafting service (``matching.criteria.drafting.draft_text``) over the vocabulary in
force. Officials (and API keys that may write policies) only; nothing is stored: the draft
fills the policy form and an official confirms it (the admin's builder calls this endpoint with
the session)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api import access
from api.v1.common.base import ApiBase
from api.v1.common.responses import answers, example
from matching.criteria import vocabulary_load
from matching.criteria.drafting import draft_text

from .serializers import DraftRequestSerializer, DraftSerializer

EXAMPLE_TEXT = (
    "对注册地在郑州市、上年度营业收入2000万元（含）以上的制造业企业，首次认定为高新技术企业的，"
    "给予一次性奖励20万元。"
)
EXAMPLE_ANSWER = {
    "criteria": {
        "all": [
            {"field": "district", "op": "within", "value": ["4101"]},
            {"field": "revenue", "op": ">=", "value": 20000000, "period": "last_year"},
            {"field": "industry", "op": "within", "value": ["C"]},
            {"field": "tags", "op": "has", "value": "高新技术企业", "first_time": True},
        ]
    },
    "award": {"amount": "200000"},
    "award_basis": "",
    "spans": [
        {"path": "all[0]", "start": 5, "end": 8},
        {"path": "all[1]", "start": 12, "end": 27},
        {"path": "all[2]", "start": 28, "end": 31},
        {"path": "all[3]", "start": 34, "end": 45},
        {"path": "award", "start": 47, "end": 58},
    ],
    "unparsed": [],
}


class CriteriaDraftView(ApiBase, APIView):
    @extend_schema(
        summary="从政策原文起草申报条件(工作人员)",
        description="粘贴一条条款或整篇政策文件，按规则(jieba 分词与政策文本常用句式)提出 §4 申报条件和奖补金额："
        "每个条件给出它来自原文的字符区间(`spans`，路径同校验错误的路径，`award` 为奖补金额)，"
        "未能识别的句子列在 `unparsed`。只是建议：不保存，须由工作人员核对确认后才能发布。",
        request=DraftRequestSerializer,
        responses=answers(DraftSerializer, 400, 401, 403),
        examples=[
            example("条款", {"text": EXAMPLE_TEXT}),
            example("起草结果", EXAMPLE_ANSWER, response=True, status=200),
        ],
        tags=["criteria"],
    )
    def post(self, request):
        user = request.user
        access.require(user, access.is_official(user) or access.has_scope(user, "policies:write"))
        serializer = DraftRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = draft_text(serializer.validated_data["text"], vocabulary=vocabulary_load())
        return Response(DraftSerializer(DraftSerializer.answer(draft)).data)
