"""The vocabulary criteria are written in (政府资源库): departments, qualification tags and
indicator definitions. Anyone reads; officials (departments: administrators) add."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api import access
from api.v1.common.base import ApiBase
from api.v1.common.responses import ERROR_400, ERROR_401, ERROR_403, ERROR_404
from enterprises.models import IndicatorDefinition, TagDefinition
from policies.models import Department

from .filters import DepartmentFilter, IndicatorFilter, TagFilter
from .serializers import DepartmentSerializer, IndicatorSerializer, TagSerializer


class ReadAnyoneWriteViewSet(
    ApiBase,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [access.ReadAnyoneWrite]
    public_actions = ("list", "retrieve")

    def can_write(self, user) -> bool:  # pragma: no cover - overridden
        return False


@extend_schema_view(
    list=extend_schema(summary="部门列表(政府资源库)", tags=["reference"]),
    retrieve=extend_schema(
        summary="部门详情", responses={200: DepartmentSerializer, 404: ERROR_404}, tags=["reference"]
    ),
    create=extend_schema(
        summary="新增部门(管理员)",
        responses={201: DepartmentSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        examples=[
            OpenApiExample(
                "部门",
                request_only=True,
                value={
                    "code": "zz-kjj",
                    "name": "郑州市科学技术局",
                    "short_name": "市科技局",
                    "level": "municipal",
                    "parent": None,
                    "contact": "0371-67180000",
                },
            )
        ],
        tags=["reference"],
    ),
)
class DepartmentViewSet(ReadAnyoneWriteViewSet):
    queryset = Department.objects.select_related("parent").order_by("code")
    serializer_class = DepartmentSerializer
    lookup_field = "code"
    filterset_class = DepartmentFilter
    ordering_fields = ["code", "name"]

    def can_write(self, user) -> bool:
        return access.is_person(user) and (user.is_superuser or user.has_perm("policies.add_department"))


@extend_schema_view(
    list=extend_schema(summary="资质标签词表", tags=["reference"]),
    retrieve=extend_schema(
        summary="资质标签", responses={200: TagSerializer, 404: ERROR_404}, tags=["reference"]
    ),
    create=extend_schema(
        summary="新增资质标签(工作人员)",
        responses={201: TagSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        examples=[
            OpenApiExample(
                "标签",
                request_only=True,
                value={
                    "name": "瞪羚企业",
                    "description": "郑州市认定的高成长企业",
                    "issuer": "郑州市科学技术局",
                },
            )
        ],
        tags=["reference"],
    ),
)
class TagViewSet(ReadAnyoneWriteViewSet):
    # A new tag is usable in criteria at once: matching.criteria.vocabulary_load reads afresh.
    queryset = TagDefinition.objects.order_by("name")
    serializer_class = TagSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    filterset_class = TagFilter
    ordering_fields = ["name"]

    def can_write(self, user) -> bool:
        return access.is_official(user)


@extend_schema_view(
    list=extend_schema(summary="指标定义", tags=["reference"]),
    retrieve=extend_schema(
        summary="指标定义详情", responses={200: IndicatorSerializer, 404: ERROR_404}, tags=["reference"]
    ),
    create=extend_schema(
        summary="新增指标(工作人员)",
        responses={201: IndicatorSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        examples=[
            OpenApiExample(
                "指标",
                request_only=True,
                value={
                    "code": "freight_cost",
                    "name": "物流运输费用",
                    "type": "money",
                    "unit": "元",
                    "periodicity": "quarter",
                },
            )
        ],
        tags=["reference"],
    ),
)
class IndicatorViewSet(ReadAnyoneWriteViewSet):
    # A new indicator is usable in criteria at once: matching.criteria.vocabulary_load reads afresh.
    queryset = IndicatorDefinition.objects.order_by("code")
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    filterset_class = IndicatorFilter
    ordering_fields = ["code", "name"]

    def can_write(self, user) -> bool:
        return access.is_official(user)
