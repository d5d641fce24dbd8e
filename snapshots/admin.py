from django.contrib import admin

from snapshots.models import AuditEntry, ImportJob, Link, Report, Share, Snapshot


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "url", "owner", "created", "hidden_by_staff")
    list_filter = ("hidden_by_staff", "created")
    search_fields = ("url", "title", "owner__username")
    raw_id_fields = ("owner",)
    date_hierarchy = "created"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("id", "link", "status", "trigger", "attempts", "http_status", "error", "created", "finished")
    list_filter = ("status", "trigger")
    search_fields = ("link__url", "error", "title")
    raw_id_fields = ("link",)
    readonly_fields = ("created",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("link").defer("text")


admin.site.register(Share)
admin.site.register(Report)
admin.site.register(AuditEntry)
admin.site.register(ImportJob)
