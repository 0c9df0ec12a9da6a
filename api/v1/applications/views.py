"""``GET /api/v1/enterprises/{credit_code}/grants/``: an enterprise's grants and payments.

Who may read: the enterprise's own (verified) users; officials, for the grants of their
departments (a superuser: all); integrators whose key has the ``matches:read`` scope.
Anyone else gets 404 for an enterprise they may not see (401 when anonymous).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView

from api import access
from api.v1.common.base import ApiBase
from api.v1.common.responses import ERROR_401, ERROR_403, ERROR_404
from applications.models import Grant
from applications.selectors import grants_for_enterprise

from .serializers import GrantSerializer


class EnterpriseGrantsView(ApiBase, GenericAPIView):
    serializer_class = GrantSerializer
    queryset = Grant.objects.none()  # lets schema generation (check --deploy) infer the model; get() selects

    @extend_schema(
        operation_id="enterprise_grants_list",
        summary="企业的兑现与拨付",
        description="免申即享与在线申报核定的资金：状态 awaiting_account(待企业确认账户)→ ready → instructed → "
        "paid / failed → received(企业确认到账)；含每次拨付指令。企业本身、本部门官员、具 matches:read 权限的对接平台可查。",
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: GrantSerializer(many=True), 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        examples=[
            OpenApiExample(
                "兑现",
                response_only=True,
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "id": 7,
                            "policy": 12,
                            "title": "规上工业企业稳增长奖励",
                            "department": "gxj",
                            "source": "auto",
                            "period": "2026",
                            "amount": "300000.00",
                            "status": "paid",
                            "status_display": "已拨付",
                            "eligible_since": "2026-03-02T09:00:00+08:00",
                            "granted_at": "2026-03-05T10:00:00+08:00",
                            "account_confirmed_at": "2026-03-06T08:10:00+08:00",
                            "paid_on": "2026-03-20",
                            "received_confirmed_at": None,
                            "days_to_money": 18,
                            "payments": [
                                {
                                    "reference": "ZF20260310A1B2C3D4",
                                    "amount": "300000.00",
                                    "status": "paid",
                                    "paid_on": "2026-03-20",
                                    "failure_reason": "",
                                    "created_at": "2026-03-10T10:00:00+08:00",
                                }
                            ],
                        }
                    ],
                },
            )
        ],
        tags=["grants"],
    )
    def get(self, request, credit_code: str):
        user = request.user
        enterprise_id = access.enterprise_readable(user, credit_code)
        if access.enterprise_id_of(user) == enterprise_id or access.has_scope(user, "matches:read"):
            department_ids = None
        else:  # an official: the grants of the departments they work for
            department_ids = access.official_department_ids(user)
        page = self.paginate_queryset(grants_for_enterprise(enterprise_id, department_ids=department_ids))
        return self.get_paginated_response(GrantSerializer(page, many=True).data)
