from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from portal.health import healthz


class _Moved(RedirectView):
    """An address people type or were once sent (pushes before issue 12 linked
    ``/policies/<id>/``), moved for good to the page that answers it."""

    permanent = True
    query_string = True


class _Favicon(RedirectView):
    """Browsers ask ``/favicon.ico`` of pages that name no icon (the admin, API docs)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("web/favicon.svg")


admin.site.site_header = "政策找企业 · 管理后台"
admin.site.site_title = "政策找企业"
admin.site.index_title = "郑州市惠企政策服务平台"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/sso/", include("portal.sso.urls")),
    path("accounts/", include("portal.accounts.urls")),
    path("api/", include("api.urls")),
    path("applications/", include("applications.urls")),
    path("appeals/", include("appeals.urls")),
    path("liaison/", include("liaison.urls")),
    path("staff/dashboard/", include("dashboard.urls")),
    path("staff/audit/", include("portal.audittrail.urls")),
    path("messages/", include("inbox.urls")),
    path("policies/", _Moved.as_view(pattern_name="web:policy_list")),
    path("policies/<int:pk>/", _Moved.as_view(pattern_name="web:policy_detail")),
    path("applications/", _Moved.as_view(pattern_name="applications:mine")),
    path("favicon.ico", _Favicon.as_view()),
    path("matching/", include("matching.urls")),
    path("", include("subscriptions.urls")),
    path("", include("portal.web.urls")),
]

if settings.DEBUG:
    urlpatterns += staticfiles_urlpatterns()
