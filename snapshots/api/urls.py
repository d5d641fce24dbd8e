from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from snapshots.api import docs, imports, shares, uploads, views

urlpatterns = [
    path("auth/token/", views.TokenCreateView.as_view(), name="api_token"),
    path("links/", views.LinkListCreateView.as_view(), name="api_links"),
    path("links/<int:pk>/", views.LinkDetailView.as_view(), name="api_link"),
    path("links/<int:pk>/capture/", views.LinkCaptureView.as_view(), name="api_link_capture"),
    path("snapshots/<int:pk>/", views.SnapshotDetailView.as_view(), name="api_snapshot"),
    path("tags/", views.TagListView.as_view(), name="api_tags"),
    path("storage/", views.StorageUsageView.as_view(), name="api_storage"),
    path("shares/", shares.ShareListCreateView.as_view(), name="api_shares"),
    path("shares/<int:pk>/", shares.ShareDetailView.as_view(), name="api_share"),
    path("shares/<int:pk>/rotate/", shares.ShareRotateView.as_view(), name="api_share_rotate"),
    path("uploads/", uploads.PageUploadView.as_view(), name="api_page_upload"),
    path("import/", imports.ImportCreateView.as_view(), name="api_import"),
    path("import/<int:pk>/", imports.ImportDetailView.as_view(), name="api_import_job"),
    path("export/", imports.ExportView.as_view(), name="api_export"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api_schema"),
    path("docs/", docs.ApiDocsView.as_view(), name="api_docs"),
]
