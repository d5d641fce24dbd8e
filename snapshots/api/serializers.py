"""JSON shapes of the public API. Serializers only shape data; rules live in services."""

from __future__ import annotations

from datetime import UTC, tzinfo

from django.conf import settings
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import TOKEN_NAME_MAX_LENGTH
from snapshots.links.urlnorm import display_url
from snapshots.models import (
    DESCRIPTION_INPUT_MAX_LENGTH,
    NOTES_INPUT_MAX_LENGTH,
    TITLE_INPUT_MAX_LENGTH,
    Link,
    Snapshot,
)
from snapshots.storage.signing import artifact_url, owner_artifact_former


class UTCDateTimeField(serializers.DateTimeField):
    """Times leave the API in UTC whatever TIME_ZONE says: TIME_ZONE is for people reading pages.

    DRF converts to the current time zone before formatting, which with the `…Z` format would
    label Shanghai wall-clock time as UTC.
    """

    def default_timezone(self) -> tzinfo:
        return UTC


class UTCModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }


class SnapshotSerializer(UTCModelSerializer):
    artifacts = serializers.SerializerMethodField()
    http_error = serializers.BooleanField(
        source="is_http_error",
        read_only=True,
        help_text="True when the page answered with an HTTP error (4xx or 5xx, see `http_status`): the "
        "artifacts are kept as evidence of that answer, and its title never fills in the link's.",
    )

    class Meta:
        model = Snapshot
        fields = [
            "id", "status", "source", "error", "error_code", "note", "created", "finished", "final_url",
            "http_status", "http_error", "content_type", "title", "artifacts",
        ]
        extra_kwargs = {
            "source": {
                "help_text": "capture: linkhome loaded the URL; browser: the page was saved in the owner's own "
                "browser and uploaded (its file is the `upload` artifact)."
            },
            "error": {"help_text": "Why the capture failed, in English."},
            "error_code": {
                "help_text": "Why the capture failed, as a stable code (such as address_not_allowed); "
                "empty for captures made before codes existed."
            },
        }

    @extend_schema_field(
        {
            "type": "object",
            "properties": {k: {"type": "string", "format": "uri", "nullable": True} for k in Snapshot.ARTIFACT_KINDS},
        }
    )
    def get_artifacts(self, snapshot: Snapshot) -> dict[str, str | None]:
        request, stored = self.context.get("request"), snapshot.artifacts or {}
        if "artifact_former" not in self.context:  # the root serializer's context: once per response
            self.context["artifact_former"] = owner_artifact_former(request)
        former = self.context["artifact_former"]
        return {
            kind: (former(snapshot.pk, kind) if former else artifact_url(request, snapshot, kind, absolute=True))
            if stored.get(kind) else None
            for kind in Snapshot.ARTIFACT_KINDS
        }


KEEP_AS_SERVED_HELP = (
    "True: the screenshot shows the page exactly as served. False (the default): consent dialogs, login walls, "
    "\"open in app\" bars and scroll locks are hidden in the screenshot, never answered or clicked, and the "
    "snapshot's notes say what was hidden. The offline copy, DOM and PDF are always of the page as served."
)


class LinkSerializer(UTCModelSerializer):
    """Read shape of a link; input is validated by LinkInputSerializer and services."""

    display_url = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    snapshots = SnapshotSerializer(many=True, read_only=True)

    class Meta:
        model = Link
        fields = [
            "id", "url", "display_url", "title", "description", "notes", "tags", "unread", "keep_as_served",
            "created", "updated", "snapshots",
        ]
        extra_kwargs = {"keep_as_served": {"help_text": KEEP_AS_SERVED_HELP}}

    def get_display_url(self, link: Link) -> str:
        return display_url(link.url)

    def get_tags(self, link: Link) -> list[str]:
        return sorted(tag.name for tag in link.tags.all())


class LinkInputSerializer(serializers.Serializer):
    # No max_length here: normalising checks the length first and says so in the words pages use.
    url = serializers.CharField(trim_whitespace=True)
    tags = serializers.ListField(child=serializers.CharField(allow_blank=True, trim_whitespace=False), required=False)
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=TITLE_INPUT_MAX_LENGTH, trim_whitespace=False
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_INPUT_MAX_LENGTH)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=NOTES_INPUT_MAX_LENGTH)
    unread = serializers.BooleanField(required=False)
    keep_as_served = serializers.BooleanField(required=False, help_text=KEEP_AS_SERVED_HELP)


class SnapshotWaitSerializer(serializers.Serializer):
    wait = serializers.FloatField(required=False, default=0, min_value=0)

    def validate_wait(self, seconds: float) -> float:
        return min(seconds, settings.API_WAIT_MAX_SECONDS)  # a longer wait is a wait of the longest


class TagCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=TOKEN_NAME_MAX_LENGTH)
