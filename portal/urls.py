from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path

from portal.health import healthz

admin.site.site_header = "政策找企业 · 管理后台"
admin.site.site_title = "政策找企业"
admin.site.index_title = "郑州市惠企政策服务平台"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("portal.accounts.urls")),
    path("api/", include("api.urls")),
    path("applications/", include("applications.urls")),
    path("appeals/", include("appeals.urls")),
    path("liaison/", include("liaison.urls")),
    path("staff/dashboard/", include("dashboard.urls")),
    path("messages/", include("inbox.urls")),
    path("policies/", include("policies.urls")),
    path("matching/", include("matching.urls")),
    path("", include("portal.web.urls")),
]

if settings.DEBUG:
    urlpatterns += staticfiles_urlpatterns()
