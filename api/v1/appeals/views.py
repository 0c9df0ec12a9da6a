"""诉求 endpoints: an enterprise raises a problem, complaint or suggestion through the API,
reads its cases, confirms and rates them; officials read their departments' cases and may log
one on an enterprise's behalf (with its credit code). Handling steps stay on the staff pages.

The appeals services decide; their refusals (Django's ValidationError and PermissionDenied)
become 400 and 403 answers in ``api.exceptions``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response

from api import access
from api.v1.common.base import ApiBase
from api.v1.common.responses import ERROR_400, ERROR_401, ERROR_403, ERROR_404
from appeals import services
from appeals.models import Case, CaseSource
from appeals.selectors import cases_visible_to
from applications.models import Application
from enterprises.models import Enterprise
from enterprises.reference import normalize_credit_code
from policies.selectors import policies_published

from .filters import CaseFilter
from .serializers import CaseCreateSerializer, CaseSerializer, ConfirmSerializer, RateSerializer


def _own_application(application_id, enterprise):
    """The enterprise's application ``application_id`` (None when not given); another
    enterprise's or an unknown one is refused naming the field."""
    if not application_id:
        return None
    application = Application.objects.filter(pk=application_id, enterprise=enterprise).first()
    if application is None:
        raise ValidationError({"application": [_("没有该企业的此项申报")]})
    return application


@extend_schema_view(
    list=extend_schema(
        summary="诉求列表",
        description="企业用户：本企业的诉求；官员：本部门承办的诉求。",
        responses={200: CaseSerializer(many=True), 401: ERROR_401},
    ),
    retrieve=extend_schema(summary="诉求详情", responses={200: CaseSerializer, 404: ERROR_404}),
)
class CaseViewSet(ApiBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["created_at", "due_on"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation (check --deploy runs it)
            return Case.objects.none()
        user = self.request.user
        if not user.is_authenticated:
            raise NotAuthenticated()
        if access.is_integrator(user):
            raise PermissionDenied()
        return cases_visible_to(
            enterprise_id=access.enterprise_id_of(user), department_ids=access.official_department_ids(user)
        )

    @extend_schema(
        summary="提出诉求",
        request=CaseCreateSerializer,
        responses={201: CaseSerializer, 400: ERROR_400, 403: ERROR_403},
        examples=[
            OpenApiExample(
                "融资问题",
                value={
                    "kind": "problem",
                    "category": "finance",
                    "title": "科技贷放款慢",
                    "description": "3月申请的科技贷至今未放款",
                },
            )
        ],
    )
    def create(self, request):
        user = request.user
        if not user.is_authenticated:
            raise NotAuthenticated()
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        policy = None
        if values.get("policy"):
            policy = policies_published().filter(pk=values["policy"]).first()
            if policy is None:
                raise ValidationError({"policy": [_("没有该已发布政策")]})
        credit_code = values.pop("credit_code", "")
        kwargs = {k: values[k] for k in ("kind", "category", "title", "description")}
        kwargs["policy"] = policy
        if access.enterprise_id_of(user):
            kwargs["application"] = _own_application(values.get("application"), user.enterprise)
            case = services.case_raise(
                enterprise=user.enterprise, raised_by=user, source=CaseSource.API, **kwargs
            )
        elif access.is_official(user):
            if not credit_code:
                raise ValidationError({"credit_code": [_("官员代企业登记时须提供统一社会信用代码")]})
            enterprise = Enterprise.objects.filter(credit_code=normalize_credit_code(credit_code)).first()
            if enterprise is None:
                raise ValidationError({"credit_code": [_("登记库中没有该企业")]})
            kwargs["application"] = _own_application(values.get("application"), enterprise)
            case = services.case_raise(
                enterprise=enterprise, logged_by=user, source=CaseSource.HOTLINE, **kwargs
            )
        else:
            raise PermissionDenied(_("只有企业用户或工作人员可以提出诉求"))
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="企业确认是否解决", request=ConfirmSerializer, responses={200: CaseSerializer, 400: ERROR_400}
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        case = self.get_object()
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.case_confirm(case=case, actor=request.user, **body.validated_data)
        return Response(CaseSerializer(case).data)

    @extend_schema(summary="好差评", request=RateSerializer, responses={200: CaseSerializer, 400: ERROR_400})
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        case = self.get_object()
        body = RateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.case_rate(case=case, actor=request.user, **body.validated_data)
        case.refresh_from_db()
        return Response(CaseSerializer(case).data)
