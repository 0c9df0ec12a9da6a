"""``/api/v1/enterprises/`` and ``/api/v1/indicator-values/``: the enterprise registry. The
registry's services clean, write and re-match; the views check who may do what."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import access
from api.v1.common.base import ApiBase, actor, raw_subset, source_of
from enterprises import services
from enterprises.models import Enterprise
from enterprises.reference import normalize_credit_code
from enterprises.selectors import enterprises_with_profile
from portal.accounts.masking import can_see_personal_data

from . import schema
from .filters import EnterpriseFilter
from .serializers import BulkEnterprisesSerializer, EnterpriseSerializer, IndicatorValuesSerializer
from .validation import (
    ENTERPRISE_CLEARABLE,
    ENTERPRISE_WRITABLE,
    bulk_counts,
    bulk_errors,
    indexed_errors,
    row_shape_errors,
)


@schema.viewset
class EnterpriseViewSet(ApiBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EnterpriseSerializer
    lookup_field = "credit_code"
    lookup_value_regex = "[^/]+"
    filterset_class = EnterpriseFilter
    ordering_fields = ["credit_code", "name", "updated_at", "established_on"]
    ordering = ["id"]

    def get_queryset(self):
        return enterprises_with_profile()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["personal_data"] = access.is_person(user) and can_see_personal_data(user)
        return context

    def list(self, request, *args, **kwargs):
        access.require(request.user, access.can_read_enterprises(request.user))
        return super().list(request, *args, **kwargs)

    def _enterprise(self, *, for_write: bool = False) -> Enterprise:
        user = self.request.user
        code = normalize_credit_code(self.kwargs["credit_code"] or "")
        own_id = access.enterprise_id_of(user)
        may = access.can_write_enterprises(user) if for_write else access.can_read_enterprises(user)
        access.require(user, may or own_id is not None)
        enterprise = enterprises_with_profile().filter(credit_code=code).first()
        if enterprise is None or not (may or own_id == enterprise.pk):
            raise NotFound()
        if for_write and not may:
            raise PermissionDenied(_("企业用户请在“我的企业”页面更新资料；此接口供工作人员和接入平台使用。"))
        return enterprise

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self._enterprise()).data)

    def _save(self, request, *, data: dict, partial: bool, existing: Enterprise | None) -> Enterprise:
        serializer = EnterpriseSerializer(data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        payload = raw_subset(data, ENTERPRISE_WRITABLE)
        if existing is not None:
            payload["credit_code"] = existing.credit_code
        if not partial:
            for field, empty in ENTERPRISE_CLEARABLE.items():
                payload.setdefault(field, empty)
        enterprise = services.enterprise_upsert(
            data=payload, source=source_of(request), actor=actor(request.user)
        )
        return enterprises_with_profile().get(pk=enterprise.pk)

    @schema.create
    def create(self, request, *args, **kwargs):
        access.require(request.user, access.can_write_enterprises(request.user))
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("请求体应为 JSON 对象。")]})
        code = normalize_credit_code(str(request.data.get("credit_code", "")))
        if code and Enterprise.objects.filter(credit_code=code).exists():
            raise ValidationError({"credit_code": [_("该统一社会信用代码已登记，请用 PUT 或 PATCH 更新。")]})
        enterprise = self._save(request, data=request.data, partial=False, existing=None)
        return Response(self.get_serializer(enterprise).data, status=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool):
        existing = self._enterprise(for_write=True)
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("请求体应为 JSON 对象。")]})
        data = dict(request.data)
        given = data.get("credit_code")
        if given and normalize_credit_code(str(given)) != existing.credit_code:
            raise ValidationError({"credit_code": [_("请求体中的统一社会信用代码与地址中的不一致。")]})
        data["credit_code"] = existing.credit_code
        enterprise = self._save(request, data=data, partial=partial, existing=existing)
        return Response(self.get_serializer(enterprise).data)

    @schema.update
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @schema.partial_update
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @schema.bulk
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        access.require(request.user, access.can_write_enterprises(request.user))
        body = request.data
        if isinstance(body, list):
            body = {"enterprises": body}
        serializer = BulkEnterprisesSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        rows = serializer.validated_data["enterprises"]
        # The registry's record cleaning validates every field of every row (and says which row
        # and field is wrong); a serializer per row here would only repeat it, at a cost larger
        # than the write itself. Only what it cannot see is checked here.
        errors = {str(i): problems for i, row in enumerate(rows) if (problems := row_shape_errors(row))}
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        source = serializer.validated_data.get("source") or source_of(request)
        payload = [raw_subset(row, ENTERPRISE_WRITABLE) for row in rows]
        result = services.enterprise_bulk_upsert(rows=payload, source=source, actor=actor(request.user))
        row_errors = bulk_errors(result)
        if row_errors:
            return Response({"errors": row_errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(bulk_counts(result, len(rows)))


class IndicatorValuesView(ApiBase, APIView):
    @schema.indicator_values
    def post(self, request):
        access.require(request.user, access.can_write_indicator_values(request.user))
        serializer = IndicatorValuesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = [
            {
                "credit_code": v["credit_code"],
                "code": v["indicator"],
                "period": v["period"],
                "value": v["value"],
                "as_of": v["as_of"].isoformat() if v.get("as_of") else None,
            }
            for v in serializer.validated_data["values"]
        ]
        try:
            changed = services.indicator_values_set(values=values, source=serializer.validated_data["source"])
        except DjangoValidationError as exc:
            raise ValidationError({"values": indexed_errors(exc)}) from None
        enterprises = len({normalize_credit_code(v["credit_code"] or "") for v in values})
        return Response({"count": len(values), "enterprises": enterprises, "changed": changed})
