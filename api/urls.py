from django.templatetags.static import static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from api.v1.common.base import not_found

app_name = "api"


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from the vendored files in static/api (no CDN); its start-up script is a
    separate request (``?script``), so the Content-Security-Policy needs no inline script."""

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
    path("v1/", include("api.v1.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(), name="docs"),
    path("redoc/", RedocView.as_view(), name="redoc"),
]

# Keep this last: any other path under /api/ is a JSON 404 (add new routes above it).
urlpatterns.append(re_path(r"^[\s\S]*$", not_found))
