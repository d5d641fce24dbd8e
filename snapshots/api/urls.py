from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from snapshots.api import views

urlpatterns = [
    path("auth/token/", views.TokenCreateView.as_view(), name="api_token"),
    path("links/", views.LinkListCreateView.as_view(), name="api_links"),
    path("links/<int:pk>/", views.LinkDetailView.as_view(), name="api_link"),
    path("links/<int:pk>/capture/", views.LinkCaptureView.as_view(), name="api_link_capture"),
    path("snapshots/<int:pk>/", views.SnapshotDetailView.as_view(), name="api_snapshot"),
    path("tags/", views.TagListView.as_view(), name="api_tags"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api_schema"),
]
