"""``/api/v1/policies/``: the policy library. Who sees which policy, search, drafting and
publishing are the library's (``policies.selectors``, ``policies.services``); the views check
who the caller is and shape the answers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api import access
from api.v1.common.base import ApiBase, actor
from policies import selectors, services
from policies.models import Policy, PolicyStatus
from policies.permissions import user_can_edit_policy
from policies.search import snippets

from . import schema
from .filters import PolicyFilter
from .serializers import PolicyListSerializer, PolicySerializer, PolicyWriteSerializer, ReachSerializer

# ``ordering`` of the policy list → the search selector's order.
POLICY_ORDERING = {
    "": "relevance",
    "relevance": "relevance",
    "newest": "newest",
    "-published_at": "newest",
    "deadline": "deadline",
    "apply_end": "deadline",
}


@schema.viewset
class PolicyViewSet(ApiBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PolicySerializer
    filterset_class = PolicyFilter
    lookup_value_regex = r"\d+"
    public_actions = ("list", "retrieve")
    # list() hands q, filters and ordering to the search selectors; the filter set describes them in the schema.
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        department_ids = access.policy_department_ids(self.request.user)
        return (
            selectors.policies_visible_to(department_ids=department_ids)
            .select_related("department")
            .prefetch_related("materials")
        )

    def list(self, request, *args, **kwargs):
        filterset = PolicyFilter(request.query_params, queryset=Policy.objects.none())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        data = filterset.form.cleaned_data
        q = (data.get("q") or "").strip()
        order = request.query_params.get("ordering")
        if order is not None and (not order or order not in POLICY_ORDERING):
            # present but empty is refused, as for every other parameter (StrictFilterSet)
            raise ValidationError({"ordering": [_("不支持的排序：%(field)s") % {"field": order}]})
        order = order or ""
        wanted_status = data.get("status")
        if wanted_status and wanted_status != PolicyStatus.PUBLISHED:
            qs = selectors.policy_search_unpublished(
                department_ids=access.policy_department_ids(request.user),
                status=wanted_status,
                q=q,
                filters=filterset.selector_filters(),
                order=POLICY_ORDERING[order],
            ).select_related("department")
        else:
            # The page's snippets are made by ``policies.search.snippets``, which reads
            # interpretations only for rows without a query word in their summary or body.
            qs = selectors.policy_search(
                q=q,
                filters=filterset.selector_filters(),
                order=POLICY_ORDERING[order],
                with_total=bool(q),
                interpretations=False,
            )
        page = self.paginate_queryset(qs.prefetch_related("materials"))
        if q:
            for policy, snippet in zip(page, snippets(page, q), strict=True):
                policy.snippet = str(snippet)
        return self.get_paginated_response(
            PolicyListSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError):
            raise NotFound() from None
        policy = self.get_queryset().filter(pk=pk).first()
        if policy is None:
            raise NotFound()
        return policy

    def _fresh(self, policy: Policy) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=policy.pk)).data)

    def _require_edit(self, policy):
        user = self.request.user
        if access.is_integrator(user):
            # A key drafts for its department; publishing and revising published policies is for people.
            allowed = access.is_official_of(user, policy.department_id) and policy.status in (
                PolicyStatus.DRAFT,
                PolicyStatus.IN_REVIEW,
            )
        else:
            allowed = user_can_edit_policy(user, policy)
        access.require(
            user, allowed, _("只有本部门工作人员可以修改本部门的政策；已发布的政策由审核人员修订。")
        )

    @schema.create
    def create(self, request, *args, **kwargs):
        user = request.user
        access.require(user, access.is_official(user) or access.has_scope(user, "policies:write"))
        serializer = PolicyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        department = serializer.validated_data["department"]
        access.require(user, access.is_official_of(user, department.pk), _("只能为本部门起草政策。"))
        policy = services.policy_create(data=serializer.service_data(), actor=actor(user))
        response = self._fresh(policy)
        response.status_code = status.HTTP_201_CREATED
        return response

    @schema.partial_update
    def partial_update(self, request, *args, **kwargs):
        policy = self.get_object()
        self._require_edit(policy)
        serializer = PolicyWriteSerializer(policy, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.service_data()
        if "department" in data and data["department"] != policy.department_id:
            access.require(
                request.user,
                access.is_official_of(request.user, data["department"]),
                _("只能把政策改到本部门名下。"),
            )
        services.policy_update(policy=policy, data=data, actor=actor(request.user))
        return self._fresh(policy)

    @schema.publish
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        policy = self.get_object()
        user = request.user
        access.require(
            user,
            access.is_person(user) and access.is_official_of(user, policy.department_id),
            _("只有本部门的审核人员可以发布本部门的政策。"),
        )
        # The service decides the rest: a policy that is not a draft or in review is a 400, a
        # drafter who is not a reviewer (or publishes their own draft) a 403.
        services.policy_publish(policy=policy, actor=user)
        return self._fresh(policy)

    @schema.reach
    @action(detail=True, methods=["get"])
    def reach(self, request, pk=None):
        policy = self.get_object()
        user = request.user
        access.require(
            user,
            access.is_person(user) and access.is_official_of(user, policy.department_id),
            _("只有本部门工作人员可以测算本部门政策的触达范围。"),
        )
        return Response(ReachSerializer(selectors.policy_reach(policy=policy)).data)
