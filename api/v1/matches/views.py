"""``GET /api/v1/enterprises/{credit_code}/matches/``: the policies an enterprise matches,
explained (``matching.selectors.matches_for_enterprise``, ``matching.eligibility.matches_explained``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView

from api import access
from api.v1.common.base import ApiBase
from matching.eligibility import matches_explained
from matching.models import Match
from matching.selectors import matches_for_enterprise

from . import schema
from .filters import MatchFilter
from .serializers import MatchSerializer

ORDERINGS = ("matched_at", "amount")


class EnterpriseMatchesView(ApiBase, GenericAPIView):
    serializer_class = MatchSerializer
    queryset = Match.objects.none()  # schema generation infers the model; get() selects
    filter_backends: list = []

    @schema.matches
    def get(self, request, credit_code: str):
        enterprise_id = access.enterprise_readable(request.user, credit_code)
        filterset = MatchFilter(
            request.query_params, queryset=matches_for_enterprise(enterprise_id=enterprise_id)
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        qs = filterset.qs
        order = request.query_params.get("ordering")
        if order is not None:
            if order.lstrip("-") not in ORDERINGS:
                raise ValidationError({"ordering": [_("不支持的排序字段：%(field)s") % {"field": order}]})
            qs = qs.order_by(order, "policy_id")
        page = self.paginate_queryset(qs)
        rows = matches_explained(enterprise_id=enterprise_id, matches=page)
        return self.get_paginated_response(MatchSerializer(rows, many=True).data)
