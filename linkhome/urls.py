from django.contrib import admin
from django.urls import include, path

from snapshots.web.views.health import healthz, metrics

urlpatterns = [
    path("", include("snapshots.urls")),
    path("accounts/", include("accounts.urls")),
    path("api/", include("snapshots.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
]

handler400 = "linkhome.guards.bad_request"
