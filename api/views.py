"""The endpoints of DESIGN §6. Each view checks who may do what, validates the input with a
serializer and calls one service or selector of the owning part; no domain logic here."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from api import access
from api import serializers as s
from api.authentication import ApiKeyAuthentication, HashedTokenAuthentication
from api.filters import (
    DepartmentFilter,
    EnterpriseFilter,
    IndicatorFilter,
    MatchFilter,
    NotificationFilter,
    PolicyFilter,
    TagFilter,
    WebhookFilter,
)
from api.schema import ApiAutoSchema
from api.services import token_issue
from enterprises.models import Enterprise, EnterpriseTag, IndicatorDefinition, IndicatorValue, TagDefinition
from policies.models import Department, Policy, PolicyStatus
from policies.search import TotalPaginator

ERROR_400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="输入有误：按字段给出原因，如 `{\"district\": [\"未知的行政区划：郑州东\"]}`",
    examples=[OpenApiExample("字段错误", value={"district": ["未知的行政区划：郑州东"]})],
)
ERROR_401 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="未提供或无效的令牌/密钥")
ERROR_403 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="已认证但无此权限(或缺少密钥权限范围)")
ERROR_404 = OpenApiResponse(response=OpenApiTypes.OBJECT, description="不存在，或调用方无权查看")


class Pagination(PageNumberPagination):
    page_size = 20
    # Takes the count from a ``search_total`` window annotation when there is one (policy search).
    django_paginator_class = TotalPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not raw.isdigit():
            raise ValidationError({"page": [_("页码应为正整数。")]})
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({"page_size": [_("每页条数应为 1 到 %(max)d 之间的整数。") % {"max": self.max_page_size}]})
        return int(raw)


class ApiBase:
    """Authentication, throttling and pagination shared by every endpoint."""

    authentication_classes = [ApiKeyAuthentication, HashedTokenAuthentication, SessionAuthentication]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    pagination_class = Pagination
    permission_classes = [AllowAny]  # each view decides, row by row (api.access)
    parser_classes = [JSONParser]
    schema = ApiAutoSchema()
    public = False  # schema: anonymous callers allowed on every method
    public_actions: tuple = ()  # schema: … on these viewset actions

    def get_exception_handler(self):
        from api.exceptions import api_exception_handler

        return api_exception_handler

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["today"] = timezone.localdate()
        context["language"] = get_language() or "zh-hans"
        return context


def _raw_subset(data, fields) -> dict:
    """The client's own JSON for the writable fields (the services parse and normalise it)."""
    return {k: data[k] for k in fields if k in data}


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer JSON, like every other API error (whatever the method)."""
    from django.http import JsonResponse

    return JsonResponse({"detail": str(_("未找到。"))}, status=404)


# --- auth -----------------------------------------------------------------------------
class TokenView(ApiBase, APIView):
    authentication_classes: list = []
    public = True

    @extend_schema(
        operation_id="auth_token_create",
        summary="获取登录令牌",
        description="用户名和密码换取令牌，之后以 `Authorization: Token <令牌>` 调用。令牌只保存摘要，12 小时后过期。"
        "连续 5 次失败后账号被临时锁定。",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenResponseSerializer, 400: ERROR_400,
                   429: OpenApiResponse(description="连续失败 5 次，账号临时锁定(见 Retry-After)")},
        examples=[OpenApiExample("登录", value={"username": "kjj_official", "password": "••••••••"}, request_only=True)],
        tags=["auth"],
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            from django.conf import settings

            # This view answers the lockout itself, as JSON with Retry-After; without this the
            # axes middleware would replace the answer with the portal's HTML lockout page.
            django_request.axes_locked_out = False

            cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
            raise Throttled(
                wait=cooloff.total_seconds() if cooloff else None,
                detail=str(_("登录失败次数过多，账号已被临时锁定，请稍后再试或联系管理员。")),
            )
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": [_("用户名或密码错误。")]})
        token, raw = token_issue(user=user)
        return Response({"token": raw, "expires_at": token.expires_at})


# --- reference data -------------------------------------------------------------------
class ReadAnyoneWriteViewSet(ApiBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    permission_classes = [access.ReadAnyoneWrite]
    public_actions = ("list", "retrieve")

    def can_write(self, user) -> bool:  # pragma: no cover - overridden
        return False


@extend_schema_view(
    list=extend_schema(summary="部门列表(政府资源库)", tags=["reference"]),
    retrieve=extend_schema(summary="部门详情", responses={200: s.DepartmentSerializer, 404: ERROR_404}, tags=["reference"]),
    create=extend_schema(
        summary="新增部门(管理员)",
        responses={201: s.DepartmentSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        examples=[
            OpenApiExample(
                "部门",
                request_only=True,
                value={"code": "zz-kjj", "name": "郑州市科学技术局", "short_name": "市科技局", "level": "municipal",
                       "parent": None, "contact": "0371-67180000"},
            )
        ],
        tags=["reference"],
    ),
)
class DepartmentViewSet(ReadAnyoneWriteViewSet):
    queryset = Department.objects.select_related("parent").order_by("code")
    serializer_class = s.DepartmentSerializer
    lookup_field = "code"
    filterset_class = DepartmentFilter
    ordering_fields = ["code", "name"]

    def can_write(self, user) -> bool:
        return access.is_person(user) and (user.is_superuser or user.has_perm("policies.add_department"))


@extend_schema_view(
    list=extend_schema(summary="资质标签词表", tags=["reference"]),
    retrieve=extend_schema(summary="资质标签", responses={200: s.TagSerializer, 404: ERROR_404}, tags=["reference"]),
    create=extend_schema(
        summary="新增资质标签(工作人员)",
        responses={201: s.TagSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        examples=[OpenApiExample("标签", request_only=True,
                                 value={"name": "瞪羚企业", "description": "郑州市认定的高成长企业", "issuer": "郑州市科学技术局"})],
        tags=["reference"],
    ),
)
class TagViewSet(ReadAnyoneWriteViewSet):
    queryset = TagDefinition.objects.order_by("name")
    serializer_class = s.TagSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    filterset_class = TagFilter
    ordering_fields = ["name"]

    def can_write(self, user) -> bool:
        return access.is_official(user)

    def perform_create(self, serializer):
        serializer.save()
        _vocabulary_changed()


@extend_schema_view(
    list=extend_schema(summary="指标定义", tags=["reference"]),
    retrieve=extend_schema(summary="指标定义详情", responses={200: s.IndicatorSerializer, 404: ERROR_404}, tags=["reference"]),
    create=extend_schema(
        summary="新增指标(工作人员)",
        responses={201: s.IndicatorSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        examples=[OpenApiExample("指标", request_only=True,
                                 value={"code": "freight_cost", "name": "物流运输费用", "type": "money", "unit": "元",
                                        "periodicity": "quarter"})],
        tags=["reference"],
    ),
)
class IndicatorViewSet(ReadAnyoneWriteViewSet):
    queryset = IndicatorDefinition.objects.order_by("code")
    serializer_class = s.IndicatorSerializer
    lookup_field = "code"
    filterset_class = IndicatorFilter
    ordering_fields = ["code", "name"]

    def can_write(self, user) -> bool:
        return access.is_official(user)

    def perform_create(self, serializer):
        serializer.save()
        _vocabulary_changed()


def _vocabulary_changed() -> None:
    """New tags and indicators must be usable in criteria at once."""
    from matching import criteria

    invalidate = getattr(criteria, "vocabulary_invalidate", None)
    if invalidate is not None:
        invalidate()


# --- policies -------------------------------------------------------------------------
# ``ordering`` of the policy list → the search selector's order.
POLICY_ORDERING = {"": "relevance", "relevance": "relevance", "newest": "newest", "-published_at": "newest",
                   "deadline": "deadline", "apply_end": "deadline"}


def _policy_search(q: str, filters: dict, order: str):
    from policies import selectors

    # The page's snippets are made by ``policies.search.snippets``, which reads interpretations
    # only for rows without a query word in their summary or body: no prefetch.
    return selectors.policy_search(q=q, filters=filters, order=order, with_total=bool(q), interpretations=False)


@extend_schema_view(
    list=extend_schema(
        summary="政策列表与检索",
        responses={200: s.PolicyListSerializer(many=True)},
        description="已发布的政策。`q` 为中文全文检索(分词、按相关度排序，结果含高亮摘要 `snippet`)。"
        "本部门工作人员可用 `status` 查看本部门草稿等其他状态的政策。",
        parameters=[
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=["relevance", "newest", "deadline"],
                             description="排序：relevance 相关度(有 q 时默认)、newest 最新发布(无 q 时默认)、deadline 截止日期最近"),
        ],
        tags=["policies"],
    ),
    retrieve=extend_schema(summary="政策详情", responses={200: s.PolicySerializer, 404: ERROR_404}, tags=["policies"]),
)
class PolicyViewSet(ApiBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.PolicySerializer
    filterset_class = PolicyFilter
    lookup_value_regex = r"\d+"
    public_actions = ("list", "retrieve")
    # list() hands q, filters and ordering to the search selector; the filter set describes them in the schema.
    filter_backends = [DjangoFilterBackend]

    def base_queryset(self):
        return Policy.objects.select_related("department").prefetch_related("materials")

    def visible_queryset(self):
        """Published policies, plus every status of the caller's own departments."""
        user = self.request.user
        qs = self.base_queryset()
        if access.is_integrator(user):
            dept = user.api_key.department_id if user.has_scope("policies:write") else None
            return qs.filter(status=PolicyStatus.PUBLISHED) | qs.filter(department_id=dept) if dept else qs.filter(
                status=PolicyStatus.PUBLISHED
            )
        ids = access.official_department_ids(user)
        if ids is None:
            return qs
        if ids:
            return qs.filter(status=PolicyStatus.PUBLISHED) | qs.filter(department_id__in=ids)
        return qs.filter(status=PolicyStatus.PUBLISHED)

    def get_queryset(self):
        return self.visible_queryset()

    def list(self, request, *args, **kwargs):
        params = request.query_params
        filterset = PolicyFilter(params, queryset=Policy.objects.none())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        data = filterset.form.cleaned_data
        q = (data.get("q") or "").strip()
        order = params.get("ordering", "")
        if order not in POLICY_ORDERING:
            raise ValidationError({"ordering": [_("不支持的排序：%(field)s") % {"field": order}]})
        wanted_status = data.get("status")
        if wanted_status and wanted_status != PolicyStatus.PUBLISHED:
            qs = self.visible_queryset().exclude(status=PolicyStatus.PUBLISHED).filter(status=wanted_status)
            qs = self._filter(qs, data)
            if q:
                from policies.search import apply_text_query

                qs = apply_text_query(qs, q)
            qs = qs.order_by("apply_end" if POLICY_ORDERING[order] == "deadline" else "-id")
        else:
            filters = {k: v for k, v in data.items() if k not in ("q", "status") and v not in (None, "")}
            qs = _policy_search(q, filters, POLICY_ORDERING[order]).prefetch_related("materials")
        page = self.paginate_queryset(qs)
        if q:
            from policies.search import snippets

            for policy, snippet in zip(page, snippets(page, q), strict=True):
                policy.snippet = str(snippet)
        return self.get_paginated_response(s.PolicyListSerializer(page, many=True, context=self.get_serializer_context()).data)

    @staticmethod
    def _filter(qs, data):
        form_filters = PolicyFilter(
            {k: v for k, v in data.items() if v not in (None, "") and k not in ("q", "status")},
            queryset=qs,
        )
        return form_filters.qs

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError):
            raise NotFound() from None
        policy = self.visible_queryset().filter(pk=pk).first()
        if policy is None:
            raise NotFound()
        return policy

    def _require_edit(self, policy):
        user = self.request.user
        if access.is_integrator(user):
            allowed = access.is_official_of(user, policy.department_id) and policy.status in (
                PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW
            )
        else:
            from policies.permissions import user_can_edit_policy

            allowed = user_can_edit_policy(user, policy)
        access.require(user, allowed, _("只有本部门工作人员可以修改本部门的政策；已发布的政策由审核人员修订。"))

    @extend_schema(
        summary="起草政策(工作人员)",
        description="由本部门工作人员起草，返回 201，状态为 `draft`。申报条件和奖补金额按 DESIGN §4 校验，出错时给出路径。",
        request=s.PolicyWriteSerializer,
        responses={201: s.PolicySerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["policies"],
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        access.require(user, access.is_official(user) or access.has_scope(user, "policies:write"))
        serializer = s.PolicyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        department = serializer.validated_data["department"]
        access.require(user, access.is_official_of(user, department.pk), _("只能为本部门起草政策。"))
        from policies import services

        data = _policy_data(serializer.validated_data)
        policy = services.policy_create(data=data, actor=_actor(user))
        policy = self.base_queryset().get(pk=policy.pk)
        return Response(self.get_serializer(policy).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改政策(工作人员)",
        request=s.PolicyWriteSerializer(partial=True),
        responses={200: s.PolicySerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["policies"],
    )
    def partial_update(self, request, *args, **kwargs):
        policy = self.get_object()
        self._require_edit(policy)
        serializer = s.PolicyWriteSerializer(policy, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = _policy_data(serializer.validated_data)
        if "department" in data and data["department"] != policy.department_id:
            access.require(request.user, access.is_official_of(request.user, data["department"]),
                           _("只能把政策改到本部门名下。"))
        from policies import services

        services.policy_update(policy=policy, data=data, actor=_actor(request.user))
        policy = self.base_queryset().get(pk=policy.pk)
        return Response(self.get_serializer(policy).data)

    @extend_schema(
        summary="发布政策(本部门审核人员)",
        description="草稿或待审核的政策发布后立即开始匹配全市企业，并向符合条件的企业推送。",
        request=None,
        responses={200: s.PolicySerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["policies"],
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        policy = self.get_object()
        user = request.user
        access.require(user, access.is_person(user) and access.is_official_of(user, policy.department_id),
                       _("只有本部门的审核人员可以发布本部门的政策。"))
        if policy.status not in (PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW):
            raise ValidationError({"status": [_("只有草稿或待审核的政策可以发布(当前：%(status)s)。")
                                              % {"status": policy.get_status_display()}]})
        from policies.permissions import publish_refusal

        refusal = publish_refusal(user, policy)
        if refusal:
            raise PermissionDenied(refusal)
        from policies import services

        services.policy_publish(policy=policy, actor=user)
        policy = self.base_queryset().get(pk=policy.pk)
        return Response(self.get_serializer(policy).data)

    @extend_schema(
        summary="政策触达测算(工作人员)",
        description="草稿或已发布政策能触达的企业数，按区县、行业门类分布，以及奖补总额(元)。",
        responses={200: s.ReachSerializer, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        examples=[OpenApiExample("触达", response_only=True,
                                 value={"as_of": "2026-11-27", "count": 1280, "eligible": 1030, "possible": 250,
                                        "by_district": [{"code": "410122", "name": "中牟县", "eligible": 400, "possible": 20}],
                                        "by_industry": [{"code": "C", "name": "制造业", "eligible": 800, "possible": 100}],
                                        "total_award": "206000000.00", "award_unknown": 0})],
        tags=["policies"],
    )
    @action(detail=True, methods=["get"])
    def reach(self, request, pk=None):
        policy = self.get_object()
        user = request.user
        access.require(user, access.is_person(user) and access.is_official_of(user, policy.department_id),
                       _("只有本部门工作人员可以测算本部门政策的触达范围。"))
        from policies import selectors

        result = selectors.policy_reach(policy=policy)
        return Response(s.ReachSerializer(result).data)


def _policy_data(validated: dict) -> dict:
    data = dict(validated)
    if "department" in data:
        data["department"] = data["department"].pk
    if "materials" in data:
        data["materials"] = [dict(m) for m in data["materials"]]
    return data


def _actor(user):
    """The person to record as author; ``None`` (the system) for an API key, whose
    department the API has already checked."""
    if access.is_integrator(user):
        return None
    return user


# --- enterprises ------------------------------------------------------------------------
ENTERPRISE_WRITABLE = [
    "credit_code", "name", "district", "zone", "industry", "established_on", "registered_capital", "address",
    "legal_representative", "contact_name", "contact_phone", "contact_email", "tags", "indicators",
]
ENTERPRISE_CLEARABLE = {
    "zone": "", "industry": "", "established_on": None, "registered_capital": None, "address": "",
    "legal_representative": "", "contact_name": "", "contact_phone": "", "contact_email": "",
}


def _normalize_code(raw: str) -> str:
    from enterprises.reference import normalize_credit_code

    return normalize_credit_code(raw or "")


def enterprise_queryset():
    return Enterprise.objects.prefetch_related(
        Prefetch("tags", queryset=EnterpriseTag.objects.select_related("tag").order_by("tag__name")),
        Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator").order_by(
            "indicator__code", "period")),
    )


@extend_schema_view(
    list=extend_schema(summary="企业列表(工作人员、接入平台)", tags=["enterprises"],
                       responses={200: s.EnterpriseSerializer(many=True), 401: ERROR_401, 403: ERROR_403}),
    retrieve=extend_schema(summary="企业画像", tags=["enterprises"],
                           responses={200: s.EnterpriseSerializer, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}),
)
class EnterpriseViewSet(ApiBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.EnterpriseSerializer
    lookup_field = "credit_code"
    lookup_value_regex = "[^/]+"
    filterset_class = EnterpriseFilter
    ordering_fields = ["credit_code", "name", "updated_at", "established_on"]
    ordering = ["id"]

    def get_queryset(self):
        return enterprise_queryset().order_by("id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        from portal.accounts.masking import can_see_personal_data

        user = self.request.user
        context["personal_data"] = access.is_person(user) and can_see_personal_data(user)
        return context

    def list(self, request, *args, **kwargs):
        access.require(request.user, access.can_read_enterprises(request.user))
        return super().list(request, *args, **kwargs)

    def _enterprise(self, *, for_write: bool = False) -> Enterprise:
        user = self.request.user
        code = _normalize_code(self.kwargs["credit_code"])
        if for_write:
            access.require(user, access.can_write_enterprises(user) or access.enterprise_id_of(user) is not None)
        else:
            access.require(user, access.can_read_enterprises(user) or access.enterprise_id_of(user) is not None)
        enterprise = enterprise_queryset().filter(credit_code=code).first()
        own = enterprise is not None and access.enterprise_id_of(user) == enterprise.pk
        may = access.can_write_enterprises(user) if for_write else access.can_read_enterprises(user)
        if enterprise is None or not (may or own):
            raise NotFound()
        if for_write and not may:
            raise PermissionDenied(_("企业用户请在“我的企业”页面更新资料；此接口供工作人员和接入平台使用。"))
        return enterprise

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self._enterprise()).data)

    def _save(self, request, *, data: dict, partial: bool, existing: Enterprise | None):
        from enterprises import services

        serializer = s.EnterpriseSerializer(data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        payload = _raw_subset(data, ENTERPRISE_WRITABLE)
        if existing is not None:
            payload["credit_code"] = existing.credit_code
        if not partial:
            for field, empty in ENTERPRISE_CLEARABLE.items():
                payload.setdefault(field, empty)
        enterprise = services.enterprise_upsert(data=payload, source=_source(request), actor=_actor(request.user))
        return enterprise_queryset().get(pk=enterprise.pk)

    @extend_schema(
        summary="登记企业(工作人员、接入平台 enterprises:write)",
        description="画像见 DESIGN §3；派生字段(entity_type、scale、age_years)只读。统一社会信用代码自动规范化(全角、空格、连字符)。",
        request=s.EnterpriseSerializer,
        responses={201: s.EnterpriseSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["enterprises"],
    )
    def create(self, request, *args, **kwargs):
        access.require(request.user, access.can_write_enterprises(request.user))
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("请求体应为 JSON 对象。")]})
        code = _normalize_code(str(request.data.get("credit_code", "")))
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
        if given and _normalize_code(str(given)) != existing.credit_code:
            raise ValidationError({"credit_code": [_("请求体中的统一社会信用代码与地址中的不一致。")]})
        data["credit_code"] = existing.credit_code
        enterprise = self._save(request, data=data, partial=partial, existing=existing)
        return Response(self.get_serializer(enterprise).data)

    @extend_schema(
        summary="更新企业画像(整体)",
        request=s.EnterpriseSerializer,
        responses={200: s.EnterpriseSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["enterprises"],
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="更新企业画像(部分字段)",
        request=s.EnterpriseSerializer(partial=True),
        responses={200: s.EnterpriseSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        tags=["enterprises"],
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        summary="批量登记或更新企业(最多 1000 条)",
        description="全部成功或全部不写入；以统一社会信用代码幂等。出错时返回 400，"
        "`errors` 以序号和字段为键：`{\"errors\": {\"3\": {\"district\": [\"…\"]}}}`。",
        request=s.BulkEnterprisesSerializer,
        responses={200: s.BulkResultSerializer, 400: s.BulkErrorSerializer, 401: ERROR_401, 403: ERROR_403},
        examples=[
            OpenApiExample("批量", request_only=True, value={
                "source": "省企业服务平台",
                "enterprises": [
                    {"credit_code": "91410100MA44XXXXXX", "name": "郑州示例智能装备有限公司", "district": "金水区",
                     "industry": "C3411", "indicators": {"revenue": {"2025": "12000000"}}},
                ],
            }),
            OpenApiExample("逐条错误", response_only=True, status_codes=["400"],
                           value={"errors": {"0": {"credit_code": ["统一社会信用代码校验位不正确"]}}}),
        ],
        tags=["enterprises"],
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        access.require(request.user, access.can_write_enterprises(request.user))
        body = request.data
        if isinstance(body, list):
            body = {"enterprises": body}
        serializer = s.BulkEnterprisesSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        rows = serializer.validated_data["enterprises"]
        # The registry's record cleaning validates every field of every row (and says which row
        # and field is wrong); a serializer per row here would only repeat it, at a cost larger
        # than the write itself. Only what it cannot see is checked here.
        errors: dict[str, dict] = {}
        for index, row in enumerate(rows):
            problems = _row_shape_errors(row)
            if problems:
                errors[str(index)] = problems
        if errors:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        from enterprises import services

        source = serializer.validated_data.get("source") or _source(request)
        payload = [_raw_subset(row, ENTERPRISE_WRITABLE) for row in rows]
        result = services.enterprise_bulk_upsert(rows=payload, source=source, actor=_actor(request.user))
        row_errors = _bulk_errors(result)
        if row_errors:
            return Response({"errors": row_errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_bulk_counts(result, len(rows)))

    @extend_schema(
        summary="企业的匹配政策",
        description="工作人员、持 `matches:read` 的接入平台，以及该企业自己的用户可以查看。状态为 eligible(符合) 或 "
        "possible(可能符合，需补充 missing 中的数据)。",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=["eligible", "possible"], description="匹配状态"),
            OpenApiParameter("matched_since", OpenApiTypes.DATETIME, description="匹配时间不早于"),
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=["matched_at", "-matched_at", "amount", "-amount"],
                             description="排序"),
            OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={200: s.MatchSerializer(many=True), 400: ERROR_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
        examples=[OpenApiExample("匹配", response_only=True, value={
            "count": 1, "next": None, "previous": None,
            "results": [{"policy": 12, "title": "郑州市高新技术企业认定奖励", "status": "eligible", "amount": "300000.00",
                         "reasons": ["注册地在郑州市：是(410122)"], "missing": [], "matched_at": "2026-11-27T10:00:00+08:00"}],
        })],
        tags=["matches"],
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=Pagination)
    def matches(self, request, credit_code=None):
        user = request.user
        own_id = access.enterprise_id_of(user)
        access.require(user, access.is_official(user) or access.has_scope(user, "matches:read") or own_id is not None)
        code = _normalize_code(credit_code)
        enterprise_id = Enterprise.objects.filter(credit_code=code).values_list("pk", flat=True).first()
        if enterprise_id is None or not access.can_read_matches_of(user, enterprise_id):
            raise NotFound()
        from matching import selectors

        qs = selectors.matches_for_enterprise(enterprise_id=enterprise_id)
        filterset = MatchFilter(request.query_params, queryset=qs)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        qs = filterset.qs
        order = request.query_params.get("ordering", "")
        if order:
            if order.lstrip("-") not in ("matched_at", "amount"):
                raise ValidationError({"ordering": [_("不支持的排序字段：%(field)s") % {"field": order}]})
            qs = qs.order_by(order, "policy_id")
        page = self.paginate_queryset(qs)
        from api.explain import matches_explained

        rows = matches_explained(enterprise_id=enterprise_id, matches=page)
        return self.get_paginated_response(s.MatchSerializer(rows, many=True).data)


_TEXT_FIELDS = ("credit_code", "name", "district", "zone", "industry", "established_on", "address",
                "legal_representative", "contact_name", "contact_phone", "contact_email")
_SCALAR = (str, int, float)


def _row_shape_errors(row: dict) -> dict[str, list[str]]:
    """JSON shapes the registry's cleaning expects (it checks the values): cheap, per row."""
    out: dict[str, list[str]] = {}
    if not isinstance(row.get("credit_code"), str) or not row["credit_code"].strip():
        out["credit_code"] = [str(_("该字段是必填项。"))]
    for field in _TEXT_FIELDS[1:]:
        if row.get(field) is not None and not isinstance(row[field], str):
            out[field] = [str(_("应为字符串。"))]
    capital = row.get("registered_capital")
    if capital is not None and (isinstance(capital, bool) or not isinstance(capital, _SCALAR)):
        out["registered_capital"] = [str(_("应为数值或数字字符串。"))]
    tags = row.get("tags")
    if tags is not None and not (
        isinstance(tags, list)
        and all(isinstance(t, str) or (isinstance(t, dict) and isinstance(t.get("name"), str)) for t in tags)
    ):
        out["tags"] = [str(_("应为资质名称或 {\"name\": …} 对象的列表。"))]
    indicators = row.get("indicators")
    if indicators is not None and not (
        isinstance(indicators, dict)
        and all(
            isinstance(periods, dict)
            and all(v is None or (not isinstance(v, bool) and isinstance(v, _SCALAR)) for v in periods.values())
            for periods in indicators.values()
        )
    ):
        out["indicators"] = [str(_("指标必须是 {指标代码: {期间: 数值}} 形式的对象。"))]
    return out


def _source(request) -> str:
    user = request.user
    if access.is_integrator(user):
        return f"api:{user.api_key.name}"[:60]
    return f"api:{getattr(user, 'username', '')}"[:60]


def _bulk_errors(result) -> dict:
    errors = getattr(result, "errors", None) or {}
    if isinstance(errors, list):  # [{"index", "field", "message"}]
        out: dict[str, dict[str, list[str]]] = {}
        for e in errors:
            out.setdefault(str(e.get("index")), {}).setdefault(e.get("field") or "non_field_errors", []).append(
                str(e.get("message")))
        return out
    return {str(k): v for k, v in errors.items()}


def _bulk_counts(result, total: int) -> dict:
    def count(name):
        value = getattr(result, name, 0)
        return len(value) if isinstance(value, list | tuple | set) else int(value or 0)

    return {"count": total, "created": count("created"), "updated": count("updated"),
            "unchanged": count("unchanged")}


# --- indicator values ---------------------------------------------------------------------
class IndicatorValuesView(ApiBase, APIView):
    @extend_schema(
        summary="推送指标数据(数据共享)",
        description="一次推送多家企业、多个期间的指标值，注明来源。值发生变化的企业自动重新匹配。"
        "全部成功或全部不写入；错误以 `values` 序号和字段为键。",
        request=s.IndicatorValuesSerializer,
        responses={200: s.IndicatorValuesResultSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        tags=["enterprises"],
    )
    def post(self, request):
        access.require(request.user, access.can_write_indicator_values(request.user))
        serializer = s.IndicatorValuesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        from enterprises import services

        values = [
            {"credit_code": v["credit_code"], "code": v["indicator"], "period": v["period"],
             "value": v["value"], "as_of": v["as_of"].isoformat() if v.get("as_of") else None}
            for v in serializer.validated_data["values"]
        ]
        try:
            changed = services.indicator_values_set(values=values, source=serializer.validated_data["source"])
        except DjangoValidationError as exc:
            raise ValidationError({"values": _indexed_errors(exc)}) from None
        enterprises = len({_normalize_code(v["credit_code"]) for v in values})
        return Response({"count": len(values), "enterprises": enterprises, "changed": changed})


def _indexed_errors(exc: DjangoValidationError) -> dict:
    """``{"3.value": [...]}`` → ``{"3": {"value": [...]}}``."""
    out: dict[str, dict[str, list[str]]] = {}
    for key, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
        index, _sep, field = key.partition(".")
        out.setdefault(index, {}).setdefault(field or "non_field_errors", []).extend(messages)
    return out


# --- eligibility calculator ---------------------------------------------------------------
class EligibilityView(ApiBase, APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "eligibility"
    authentication_classes: list = []
    public = True

    @extend_schema(
        summary="政策测算(任何人，限流)",
        description="提交一份企业画像(§3，可直接给出 scale、entity_type 等派生字段)，对全部已发布政策测算："
        "符合、可能符合(缺哪些数据)、差一点符合(差在哪里)。不保存任何数据。",
        request=s.EligibilityRequestSerializer,
        responses={200: s.EligibilityResponseSerializer, 400: ERROR_400, 429: OpenApiResponse(description="请求过于频繁，见 Retry-After")},
        examples=[OpenApiExample("测算", request_only=True, value={
            "profile": {"district": "410122", "industry": "C3411", "established_on": "2018-06-01",
                        "registered_capital": "5000000", "tags": ["高新技术企业"],
                        "indicators": {"revenue": {"2025": "12000000"}, "employees": {"2025": "85"}}},
            "as_of": "2026-11-27",
        })],
        tags=["eligibility"],
    )
    def post(self, request):
        serializer = s.EligibilityRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        from api.eligibility import eligibility_check

        result = eligibility_check(
            profile=serializer.validated_data["profile"],
            as_of=serializer.validated_data.get("as_of") or timezone.localdate(),
        )
        return Response(s.EligibilityResponseSerializer(result).data)


# --- notifications ------------------------------------------------------------------------
class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    policy = serializers.IntegerField(source="policy_id")
    title = serializers.CharField(source="policy.title")
    reason = serializers.CharField()
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="我的推送消息(企业用户)", tags=["notifications"],
                       responses={200: NotificationSerializer(many=True), 401: ERROR_401, 403: ERROR_403}),
)
class NotificationViewSet(ApiBase, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]

    def _enterprise_id(self) -> int:
        user = self.request.user
        enterprise_id = access.enterprise_id_of(user)
        access.require(user, enterprise_id is not None, _("仅企业用户可以查看推送消息。"))
        return enterprise_id

    lookup_value_regex = r"\d+"

    def get_queryset(self):
        from matching import selectors
        from matching.models import Notification

        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = selectors.notifications_for_enterprise(enterprise_id=self._enterprise_id())
        return qs.select_related("policy").order_by("-created_at", "-id")

    @extend_schema(summary="标记为已读", request=None, responses={204: None, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
                   tags=["notifications"])
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        enterprise_id = self._enterprise_id()
        from matching import services

        if not str(pk).isdigit() or not services.notification_mark_read(notification_id=int(pk), enterprise_id=enterprise_id):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- webhooks --------------------------------------------------------------------------------
def _webhook_events() -> list[tuple[str, str]]:
    from matching.models import WebhookEvent

    return list(WebhookEvent.choices)


class WebhookSubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(max_length=500, label=_("回调地址"))
    events = serializers.ListField(child=s.StrictCharField(), required=False, label=_("订阅事件(空为全部)"))
    enterprise = s.StrictCharField(required=False, allow_blank=True, allow_null=True,
                                       label=_("企业统一社会信用代码(订阅该企业的匹配事件)"))
    active = serializers.BooleanField(required=False, default=True, label=_("启用"))
    created_at = serializers.DateTimeField(read_only=True)

    def validate_url(self, value):
        if not value.lower().startswith(("https://", "http://")):
            raise serializers.ValidationError(_("回调地址必须是 http(s) 地址。"))
        return value

    def validate_events(self, value):
        known = {code for code, _label in _webhook_events()}
        unknown = [e for e in value if e not in known]
        if unknown:
            raise serializers.ValidationError(
                _("未知的事件：%(events)s；可订阅：%(known)s") % {"events": ", ".join(unknown), "known": ", ".join(sorted(known))}
            )
        return sorted(set(value))

    def validate_enterprise(self, value):
        if not value:
            return None
        code = _normalize_code(value)
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            raise serializers.ValidationError(_("未登记的统一社会信用代码。"))
        return enterprise

    def to_representation(self, sub):
        return {
            "id": sub.pk,
            "url": sub.url,
            "events": list(sub.events or []),
            "enterprise": sub.enterprise.credit_code if sub.enterprise_id else None,
            "active": sub.active,
            "created_at": serializers.DateTimeField().to_representation(sub.created_at),
        }


class WebhookSecretSerializer(WebhookSubscriptionSerializer):
    secret = s.StrictCharField(read_only=True, label=_("签名密钥(仅在创建时显示一次)"))

    def to_representation(self, sub):
        return super().to_representation(sub) | {"secret": sub.secret}


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = s.StrictCharField()
    status = s.StrictCharField()
    attempts = serializers.IntegerField()
    response_code = serializers.IntegerField(allow_null=True)
    error = s.StrictCharField()
    duration_ms = serializers.IntegerField(allow_null=True)
    payload = serializers.JSONField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)


WEBHOOK_DESCRIPTION = (
    "接入平台(密钥需 `webhooks:manage`)登记回调地址和事件。每次推送为 JSON POST，带请求头 "
    "`X-Portal-Event`、`X-Portal-Delivery`、`X-Portal-Timestamp`(Unix 秒)与 `X-Portal-Signature: sha256=<hex>`，签名为 "
    "HMAC-SHA256(订阅密钥, 时间戳 + \".\" + 请求体)；时间戳与当前时间相差超过 5 分钟的请求应拒绝(防重放)。"
    "失败按退避重试，记录在投递日志中。"
)


@extend_schema_view(
    list=extend_schema(summary="我的 Webhook 订阅", description=WEBHOOK_DESCRIPTION, tags=["webhooks"],
                       responses={200: WebhookSubscriptionSerializer(many=True), 401: ERROR_401, 403: ERROR_403}),
    retrieve=extend_schema(summary="Webhook 订阅详情", tags=["webhooks"],
                           responses={200: WebhookSubscriptionSerializer, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}),
    create=extend_schema(
        summary="登记 Webhook", description=WEBHOOK_DESCRIPTION, tags=["webhooks"],
        request=WebhookSubscriptionSerializer,
        responses={201: WebhookSecretSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403},
        examples=[OpenApiExample("订阅", request_only=True, value={
            "url": "https://qyfw.henan.example.gov.cn/hooks/zz-policy", "events": ["match.created", "match.ended"],
            "enterprise": "91410100MA44XXXXXX"})],
    ),
    partial_update=extend_schema(summary="修改 Webhook", tags=["webhooks"], request=WebhookSubscriptionSerializer(partial=True),
                                 responses={200: WebhookSubscriptionSerializer, 400: ERROR_400, 401: ERROR_401,
                                            403: ERROR_403, 404: ERROR_404}),
    update=extend_schema(summary="替换 Webhook", tags=["webhooks"], request=WebhookSubscriptionSerializer,
                         responses={200: WebhookSubscriptionSerializer, 400: ERROR_400, 401: ERROR_401, 403: ERROR_403,
                                    404: ERROR_404}),
    destroy=extend_schema(summary="删除 Webhook", tags=["webhooks"],
                          responses={204: None, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}),
)
class WebhookSubscriptionViewSet(ApiBase, viewsets.ModelViewSet):
    serializer_class = WebhookSubscriptionSerializer
    ordering_fields = ["created_at", "id"]
    filterset_class = WebhookFilter

    def _account(self):
        user = self.request.user
        access.require(user, access.has_scope(user, "webhooks:manage"),
                       _("需要权限范围 webhooks:manage 的接入密钥。"))
        return user.api_key.account

    lookup_value_regex = r"\d+"

    def get_queryset(self):
        from matching.models import WebhookSubscription

        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.filter(owner=self._account()).select_related("enterprise").order_by("id")

    def get_object(self):
        pk = self.kwargs.get("pk")
        obj = self.get_queryset().filter(pk=pk).first() if str(pk).isdigit() else None
        if obj is None:
            raise NotFound()
        return obj

    def _check_enterprise(self, enterprise):
        user = self.request.user
        if enterprise is not None and not (access.has_scope(user, "matches:read") or access.can_read_enterprises(user)):
            raise ValidationError({"enterprise": [_("订阅企业事件需要 matches:read 或 enterprises:read 权限范围。")]})

    def create(self, request, *args, **kwargs):
        account = self._account()
        serializer = WebhookSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._check_enterprise(serializer.validated_data.get("enterprise"))
        from api import services

        sub = services.webhook_subscription_create(owner=account, **serializer.validated_data)
        return Response(WebhookSecretSerializer(sub).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        sub = self.get_object()
        serializer = WebhookSubscriptionSerializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        self._check_enterprise(serializer.validated_data.get("enterprise"))
        from api import services

        sub = services.webhook_subscription_update(subscription=sub, **serializer.validated_data)
        return Response(WebhookSubscriptionSerializer(sub).data)

    def perform_destroy(self, instance):
        from api import services

        services.webhook_subscription_delete(subscription=instance)

    @extend_schema(summary="Webhook 投递日志", tags=["webhooks"],
                   responses={200: WebhookDeliverySerializer(many=True), 401: ERROR_401, 403: ERROR_403, 404: ERROR_404})
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        sub = self.get_object()
        qs = sub.deliveries.order_by("-created_at", "-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
