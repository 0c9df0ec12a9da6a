from django.templatetags.static import static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views
from api.appeals import CaseViewSet
from applications.api import EnterpriseGrantsView

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("tags", views.TagViewSet, basename="tag")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("policies", views.PolicyViewSet, basename="policy")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("webhooks", views.WebhookSubscriptionViewSet, basename="webhook")
router.register("appeals", CaseViewSet, basename="appeal")


class SwaggerView(SpectacularSwaggerView):
    """Swagger UI from the vendored files in static/api (no CDN)."""

    url_name = "api:schema"

    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"api/swagger-ui/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static("api/swagger-ui/favicon-32x32.png")


class RedocView(SpectacularRedocView):
    url_name = "api:schema"

    @staticmethod
    def _redoc_standalone():
        return static("api/redoc/redoc.standalone.js")


urlpatterns = [
    path("v1/auth/token/", views.TokenView.as_view(), name="token"),
    path("v1/indicator-values/", views.IndicatorValuesView.as_view(), name="indicator-values"),
    path("v1/eligibility/", views.EligibilityView.as_view(), name="eligibility"),
    path("v1/", include(router.urls)),
    path("v1/enterprises/<str:credit_code>/grants/", EnterpriseGrantsView.as_view(), name="enterprise-grants"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(), name="docs"),
    path("redoc/", RedocView.as_view(), name="redoc"),
]

# Keep this last: any other path under /api/ is a JSON 404 (add new routes above it).
urlpatterns.append(re_path(r"^.*$", views.not_found))
