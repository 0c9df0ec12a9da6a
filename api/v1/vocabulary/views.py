"""The vocabulary criteria are written in (政府资源库): departments, qualification tags and
indicator definitions. Anyone reads; officials (departments: administrators) add, through the
domain's services (``policies.departments``, ``enterprises.definitions``)."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api import access
from api.v1.common.base import ApiBase
from api.v1.common.responses import ERROR_400, ERROR_401, ERROR_403, ERROR_404
from enterprises.definitions import indicator_definition_create, tag_definition_create
from enterprises.models import IndicatorDefinition, TagDefinition
from policies.departments import department_create
from policies.models import Department

from .filters import DepartmentFilter, IndicatorFilter, TagFilter
from .serializers import DepartmentSerializer, IndicatorSerializer, TagSerializer


def vocabulary_schema(
    *, serializer, list_summary: str, detail_summary: str, create_summary: str, example: tuple
):
    """The schema of one vocabulary resource: list, retrieve and create (``example``: name, body)."""
    name, body = example
    return extend_schema_view(
        list=extend_schema(summary=list_summary, tags=["reference"]),
        retrieve=extend_schema(
            summary=detail_summary, responses={200: serializer, 404: ERROR_404}, tags=["reference"]
        ),
        create=extend_schema(
            summary=create_summary,
            responses={201: serializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
            examples=[OpenApiExample(name, request_only=True, value=body)],
            tags=["reference"],
        ),
    )


class VocabularyViewSet(
    ApiBase,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    # Anyone reads; ``can_write`` decides who adds; the serializer validates and ``create_service``
    # (the domain's service, keyword arguments = the serializer's validated data) writes. (A comment,
    # not a docstring: the schema would show it as every operation's description.)
    permission_classes = [access.ReadAnyoneWrite]
    public_actions = ("list", "retrieve")
    create_service: Callable[..., object]

    def can_write(self, user) -> bool:
        return access.is_official(user)

    def perform_create(self, serializer) -> None:
        serializer.instance = self.create_service(**serializer.validated_data)


@vocabulary_schema(
    serializer=DepartmentSerializer,
    list_summary="部门列表(政府资源库)",
    detail_summary="部门详情",
    create_summary="新增部门(管理员)",
    example=(
        "部门",
        {
            "code": "zz-kjj",
            "name": "郑州市科学技术局",
            "short_name": "市科技局",
            "level": "municipal",
            "parent": None,
            "contact": "0371-67180000",
        },
    ),
)
class DepartmentViewSet(VocabularyViewSet):
    queryset = Department.objects.select_related("parent").order_by("code")
    serializer_class = DepartmentSerializer
    lookup_field = "code"
    filterset_class = DepartmentFilter
    ordering_fields = ["code", "name"]
    create_service = staticmethod(department_create)

    def can_write(self, user) -> bool:
        return access.is_person(user) and (user.is_superuser or user.has_perm("policies.add_department"))


@vocabulary_schema(
    serializer=TagSerializer,
    list_summary="资质标签词表",
    detail_summary="资质标签",
    create_summary="新增资质标签(工作人员)",
    example=(
        "标签",
        {"name": "瞪羚企业", "description": "郑州市认定的高成长企业", "issuer": "郑州市科学技术局"},
    ),
)
class TagViewSet(VocabularyViewSet):
    queryset = TagDefinition.objects.order_by("name")
    serializer_class = TagSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    filterset_class = TagFilter
    ordering_fields = ["name"]
    create_service = staticmethod(tag_definition_create)


@vocabulary_schema(
    serializer=IndicatorSerializer,
    list_summary="指标定义",
    detail_summary="指标定义详情",
    create_summary="新增指标(工作人员)",
    example=(
        "指标",
        {
            "code": "freight_cost",
            "name": "物流运输费用",
            "type": "money",
            "unit": "元",
            "periodicity": "quarter",
        },
    ),
)
class IndicatorViewSet(VocabularyViewSet):
    queryset = IndicatorDefinition.objects.order_by("code")
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    filterset_class = IndicatorFilter
    ordering_fields = ["code", "name"]
    create_service = staticmethod(indicator_definition_create)
