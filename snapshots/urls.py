from django.urls import path

from snapshots.views import links, snapshots, tags

app_name = "snapshots"

urlpatterns = [
    path("", links.link_list, name="link_list"),
    path("links/add/", links.link_add, name="link_add"),
    path("links/<int:link_id>/", links.link_detail, name="link_detail"),
    path("links/<int:link_id>/edit/", links.link_edit, name="link_edit"),
    path("links/<int:link_id>/delete/", links.link_delete, name="link_delete"),
    path("links/<int:link_id>/capture/", links.link_capture, name="link_capture"),
    path("links/<int:link_id>/status/", links.link_status, name="link_status"),
    path("snapshots/<int:snapshot_id>/", snapshots.snapshot_detail, name="snapshot_detail"),
    path("snapshots/<int:snapshot_id>/<str:kind>/", snapshots.snapshot_artifact, name="snapshot_artifact"),
    path("tags/", tags.tag_list, name="tag_list"),
    path("tags/rename/", tags.tag_rename, name="tag_rename"),
    path("tags/merge/", tags.tag_merge, name="tag_merge"),
    path("tags/autocomplete/", tags.tag_autocomplete, name="tag_autocomplete"),
]
