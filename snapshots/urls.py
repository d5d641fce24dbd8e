from django.urls import path

from snapshots.web.feeds import share_feed
from snapshots.web.views import imports, links, moderation, public, search, shares, snapshots, tags, versions

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
    path("snapshots/<int:snapshot_id>/read/", snapshots.snapshot_reader, name="snapshot_reader"),
    path("snapshots/<int:snapshot_id>/<str:kind>/", snapshots.snapshot_artifact, name="snapshot_artifact"),
    path("links/<int:link_id>/versions/", versions.version_compare, name="version_compare"),
    path(
        "links/<int:link_id>/versions/<int:old_id>/<int:new_id>/<str:side>.webp",
        versions.version_image,
        name="version_image",
    ),
    path("search/", search.search_page, name="search"),
    path("import/", imports.import_start, name="import_start"),
    path("import/<int:job_id>/", imports.import_detail, name="import_detail"),
    path("import/<int:job_id>/progress/", imports.import_progress, name="import_progress"),
    path("export/", imports.export_download, name="export"),
    path("tags/", tags.tag_list, name="tag_list"),
    path("tags/rename/", tags.tag_rename, name="tag_rename"),
    path("tags/merge/", tags.tag_merge, name="tag_merge"),
    path("tags/autocomplete/", tags.tag_autocomplete, name="tag_autocomplete"),
    path("shares/", shares.share_list, name="share_list"),
    path("shares/<int:share_id>/", shares.share_edit, name="share_edit"),
    path("shares/<int:share_id>/toggle/", shares.share_toggle, name="share_toggle"),
    path("shares/<int:share_id>/rotate/", shares.share_rotate, name="share_rotate"),
    path("shares/<int:share_id>/delete/", shares.share_delete, name="share_delete"),
    path("shares/profile/", shares.profile_collections, name="profile_collections"),
    path("s/<str:token>/", public.share_page, name="share_page"),
    path("s/<str:token>/feed/", share_feed, name="share_feed"),
    path("s/<str:token>/report/", public.share_report, name="share_report"),
    path("s/<str:token>/snapshots/<int:snapshot_id>/", public.share_snapshot, name="share_snapshot"),
    path("s/<str:token>/snapshots/<int:snapshot_id>/<str:kind>/", public.share_artifact, name="share_artifact"),
    path("u/<str:username>/", public.profile, name="profile"),
    path("a/<str:signed>/", snapshots.signed_artifact, name="signed_artifact"),
    path("moderation/", moderation.queue, name="moderation_queue"),
    path("moderation/reports/<int:report_id>/", moderation.resolve, name="moderation_resolve"),
]
