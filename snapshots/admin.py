import taggit.admin  # noqa: F401  (taggit registers its TagAdmin first; it is replaced below)
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from snapshots.archive import lifecycle
from snapshots.links import services
from snapshots.models import AuditEntry, ImportJob, Link, Report, Share, Snapshot, TaggedLink


class TaggedLinkInline(admin.TabularInline):
    model = TaggedLink
    raw_id_fields = ("tag",)
    extra = 0


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    inlines = [TaggedLinkInline]
    list_display = ("id", "title", "url", "owner", "created", "hidden_by_staff")
    list_filter = ("hidden_by_staff", "created")
    search_fields = ("url", "title", "owner__username")
    raw_id_fields = ("owner",)
    readonly_fields = ("hidden_by_staff",)  # hidden and restored from the moderation queue (audited)
    date_hierarchy = "created"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    def delete_model(self, request, obj):
        services.link_delete(link=obj)

    def delete_queryset(self, request, queryset):
        for link in queryset:
            services.link_delete(link=link)


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("id", "link", "status", "trigger", "attempts", "http_status", "error", "created", "finished")
    list_filter = ("status", "trigger")
    search_fields = ("link__url", "error", "title")
    raw_id_fields = ("link",)
    readonly_fields = ("created",)
    actions = ["retry_failed"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("link").defer("text")

    @admin.action(description=_("Retry selected failed captures"))
    def retry_failed(self, request, queryset):
        retried = sum(lifecycle.snapshot_retry(snapshot=s) for s in queryset.filter(status=Snapshot.Status.FAILED))
        self.message_user(request, _("%(n)d captures queued again.") % {"n": retried})


class ReadOnlyAdmin(admin.ModelAdmin):
    """Moderation records change only through the moderation queue, which audits every step."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "tag_name", "owner", "active", "moderation", "expires", "created")
    list_filter = ("active", "moderation")
    search_fields = ("title", "tag_name", "owner__username")
    exclude = ("token",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "reason", "status", "share", "link", "reporter_ip", "created", "resolved_by")
    list_filter = ("status", "reason")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("share", "link", "resolved_by")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created", "actor", "action", "target_type", "target_id", "reason")
    list_filter = ("action", "target_type")
    search_fields = ("actor__username", "target_id", "reason")
    date_hierarchy = "created"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


admin.site.register(ImportJob)


class TagUseFilter(admin.SimpleListFilter):
    title = _("in use")
    parameter_name = "in_use"

    def lookups(self, request, model_admin):
        return [("yes", _("on at least one link")), ("no", _("on no link"))]

    def queryset(self, request, queryset: QuerySet[Tag]) -> QuerySet[Tag]:
        if self.value() == "yes":
            return queryset.filter(link_count__gt=0)
        if self.value() == "no":
            return queryset.filter(link_count=0)
        return queryset


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags are shared rows, but their meaning is per user, so the cross-user merge action of
    taggit's own admin is left out: users rename and merge their own tags on the tags page."""

    list_display = ("name", "slug", "link_count")
    list_filter = (TagUseFilter,)
    search_fields = ("name", "slug")
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(link_count=Count("snapshots_taggedlink_items"))

    @admin.display(description=_("links"), ordering="link_count")
    def link_count(self, tag: Tag) -> int:
        return tag.link_count
