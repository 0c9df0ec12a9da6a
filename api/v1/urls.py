"""Routes of API v1, one resource package each (paths and names as before the split)."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from .appeals.views import CaseViewSet
from .applications.views import EnterpriseGrantsView
from .auth.views import TokenView
from .criteria.views import CriteriaDraftView
from .eligibility.views import EligibilityView
from .enterprises.views import EnterpriseViewSet, IndicatorValuesView
from .matches.views import EnterpriseMatchesView
from .notifications.views import NotificationViewSet
from .policies.views import PolicyViewSet
from .vocabulary.views import DepartmentViewSet, IndicatorViewSet, TagViewSet
from .webhooks.views import WebhookSubscriptionViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("departments", DepartmentViewSet, basename="department")
router.register("tags", TagViewSet, basename="tag")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("policies", PolicyViewSet, basename="policy")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
router.register("appeals", CaseViewSet, basename="appeal")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("indicator-values/", IndicatorValuesView.as_view(), name="indicator-values"),
    path("eligibility/", EligibilityView.as_view(), name="eligibility"),
    path("criteria/draft/", CriteriaDraftView.as_view(), name="criteria-draft"),
    re_path(
        r"^enterprises/(?P<credit_code>[^/]+)/matches/$",
        EnterpriseMatchesView.as_view(),
        name="enterprise-matches",
    ),
    path("", include(router.urls)),
    path("enterprises/<str:credit_code>/grants/", EnterpriseGrantsView.as_view(), name="enterprise-grants"),
]
