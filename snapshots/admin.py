from typing import Any

import taggit.admin  # noqa: F401  (taggit registers its TagAdmin first; it is replaced below)
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget, AdminTextInputWidget
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from snapshots.archive import lifecycle, removal
from snapshots.links import services
from snapshots.models import (
    DESCRIPTION_INPUT_MAX_LENGTH,
    NOTES_INPUT_MAX_LENGTH,
    TITLE_INPUT_MAX_LENGTH,
    URL_INPUT_MAX_LENGTH,
    AuditEntry,
    ImportJob,
    Link,
    Report,
    Share,
    Snapshot,
    TaggedLink,
)
from snapshots.search.changes import link_changed


class TaggedLinkInline(admin.TabularInline):
    model = TaggedLink
    raw_id_fields = ("tag",)
    extra = 0


class LinkAdminForm(forms.ModelForm):
    """The admin's input shape takes the same input as the page form and the API, and applies
    the services' rules here, so a duplicate URL or over-long notes come back as form errors."""

    url = forms.CharField(label=_("URL"), max_length=URL_INPUT_MAX_LENGTH, widget=AdminTextInputWidget)
    title = forms.CharField(
        label=_("title"), required=False, max_length=TITLE_INPUT_MAX_LENGTH, widget=AdminTextInputWidget
    )
    description = forms.CharField(
        label=_("description"), required=False, max_length=DESCRIPTION_INPUT_MAX_LENGTH, widget=AdminTextareaWidget
    )
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=NOTES_INPUT_MAX_LENGTH, widget=AdminTextareaWidget
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            cleaned.update(
                services.clean_link_fields(
                    title=cleaned.get("title"), description=cleaned.get("description"), notes=cleaned.get("notes")
                )
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        owner = cleaned.get("owner") if "owner" in self.fields else self.instance.owner
        if owner is not None and cleaned.get("url"):
            try:
                cleaned["url"] = services.clean_owner_url(
                    owner=owner, url=cleaned["url"], link=self.instance if self.instance.pk else None
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


# What a staff edit hands to the services; the rest of the page is read-only.
EDITABLE_LINK_FIELDS = ("url", "title", "description", "notes", "unread", "keep_as_served", "recapture")


def _inline_tag_names(formset: BaseInlineFormSet) -> list[str]:
    """The tags the inline ends with: its rows that were kept, by name."""
    return [
        form.cleaned_data["tag"].name
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and form.cleaned_data.get("tag") and not form.cleaned_data.get("DELETE")
    ]


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    """Staff edits go through the link services like an owner's: the URL is normalised, a
    duplicate refused, search and the owner's list page follow, and the edit is audited."""

    form = LinkAdminForm
    inlines = [TaggedLinkInline]
    list_display = ("id", "title", "url", "owner", "created", "hidden_by_staff")
    list_filter = ("hidden_by_staff", "created")
    search_fields = ("url", "title", "owner__username")
    raw_id_fields = ("owner",)
    fields = (
        "owner", "url", "title", "description", "notes", "unread", "keep_as_served", "recapture",
        "created", "next_capture_at", "hidden_by_staff",
    )
    # Hidden and restored from the moderation queue (audited); the dates follow the services.
    readonly_fields = ("created", "next_capture_at", "hidden_by_staff")
    date_hierarchy = "created"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    def get_readonly_fields(self, request, obj=None):
        # Moving a link to another user is not something the services do.
        return (*self.readonly_fields, "owner") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Nothing is written here: save_related saves the link with its tags in one service call."""

    def save_related(self, request, form, formsets, change):
        tags = next(
            (_inline_tag_names(fs) for fs in formsets if fs.model is TaggedLink and (fs.has_changed() or not change)),
            None,
        )
        for formset in formsets:
            # Unsaved: only so the admin's history message lists the inline changes; the tags
            # themselves are written by the service.
            formset.save(commit=False)
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_LINK_FIELDS}
        if not change:
            link = services.link_create(owner=form.cleaned_data["owner"], tags=tags or (), actor=request.user, **data)
            form.instance.pk = link.pk
        elif data or tags is not None:
            if tags is not None:
                data["tags"] = tags
            services.link_update(link=Link.objects.get(pk=form.instance.pk), data=data, actor=request.user)
        form.instance.refresh_from_db()

    def delete_model(self, request, obj):
        services.link_delete(link=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for link in queryset:
            services.link_delete(link=link, actor=request.user)


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "id", "link", "status", "trigger", "source", "attempts", "http_status", "error", "created", "finished"
    )
    list_filter = ("status", "trigger", "source")
    search_fields = ("link__url", "error", "title")
    raw_id_fields = ("link",)
    readonly_fields = ("created",)
    actions = ["retry_failed"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("link").defer("text")

    # A snapshot's page text and title are in its link's search document.
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            link_changed(owner_id=obj.link.owner_id, link_ids=[obj.link_id], listing=False)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Snapshot.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        removal.snapshots_delete(snapshots=queryset)

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

    # A Tag row is shared by every user's links: renaming or deleting it changes each owner's
    # search documents and tag bar, so it goes through the services (which also audit it).
    def save_model(self, request, obj, form, change):
        services.tag_save(tag=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.tag_delete(tag=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for tag in queryset:
            services.tag_delete(tag=tag, actor=request.user)

    @admin.display(description=_("links"), ordering="link_count")
    def link_count(self, tag: Tag) -> int:
        return tag.link_count
