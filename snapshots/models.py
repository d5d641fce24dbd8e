"""The domain's data and its invariants. Write paths live in services.py, read paths in selectors.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from snapshots.fields import TsVectorField

# Field limits: one constant per rule, read by the model field, the forms, the API serializers
# and the services that cut or refuse a value. An `*_INPUT_MAX_LENGTH` is what a form or the API
# accepts before the service cleans the value and cuts it to what is stored; it is larger so
# that pasted text is cut rather than refused. Limits of TextFields are kept by the services
# (the database column has none).
CHOICE_MAX_LENGTH = 10  # the codes of every TextChoices field below
TAG_MAX_LENGTH = 100
TAG_INPUT_MAX_LENGTH = 300  # rename and merge forms: room for the service's own "too long" message
# Tags on one link. A link given more before this limit existed keeps them: an edit may drop
# some but adds none until it is under the limit.
LINK_TAGS_MAX = 100
TAGS_INPUT_MAX_LENGTH = LINK_TAGS_MAX * (TAG_MAX_LENGTH + 2)  # the forms' comma-separated tag text
TAG_MERGE_SOURCES_MAX = 50  # tags merged into one at a time


class TaggedLink(TaggedItemBase):
    """Taggit through model with a real foreign key to Link (fast joins, cascading deletes)."""

    content_object = models.ForeignKey("Link", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        unique_together = [("content_object", "tag")]
        indexes = [models.Index(fields=["tag", "content_object"])]


URL_MAX_LENGTH = 2048  # stored, after normalising (also Snapshot.final_url)
URL_INPUT_MAX_LENGTH = URL_MAX_LENGTH * 3  # as typed: normalising (IDNA, quoting) changes the length
TITLE_MAX_LENGTH = 500  # stored (also Snapshot.title); longer titles are cut
TITLE_INPUT_MAX_LENGTH = 5_000
DESCRIPTION_MAX_LENGTH = 5_000  # stored, cut (also Snapshot.description and Share.description)
DESCRIPTION_INPUT_MAX_LENGTH = 50_000
NOTES_MAX_LENGTH = 20_000  # longer notes are refused, not cut: they are the owner's own words
NOTES_INPUT_MAX_LENGTH = 50_000


class Link(models.Model):
    class Schedule(models.TextChoices):
        NONE = "", _("never")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="links")
    url = models.CharField(_("URL"), max_length=URL_MAX_LENGTH)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH, blank=True)
    description = models.TextField(_("description"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    unread = models.BooleanField(_("unread"), default=False)
    # The screenshot shows the page as served: consent dialogs, login walls and app bars not hidden.
    keep_as_served = models.BooleanField(_("keep the page as served"), default=False)
    created = models.DateTimeField(_("created"), db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    hidden_by_staff = models.BooleanField(_("hidden from public views"), default=False)
    recapture = models.CharField(
        _("re-capture"), max_length=CHOICE_MAX_LENGTH, choices=Schedule.choices, default=Schedule.NONE, blank=True
    )
    next_capture_at = models.DateTimeField(null=True, blank=True, db_index=True)

    tags = TaggableManager(through=TaggedLink, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "url"], name="unique_url_per_owner"),
        ]
        indexes = [models.Index(fields=["owner", "-created", "-id"], name="link_owner_recent")]

    def __str__(self) -> str:
        return self.title or self.url


SNAPSHOT_ERROR_MAX_LENGTH = 300
SNAPSHOT_NOTE_MAX_LENGTH = 500
SNAPSHOT_DESCRIPTION_MAX_LENGTH = 1_000  # the page's own summary (meta description), as captured
REASON_CODE_MAX_LENGTH = 40
TASK_ID_MAX_LENGTH = 64
CONTENT_TYPE_MAX_LENGTH = 200
LANGUAGE_MAX_LENGTH = 35  # a BCP 47 language tag
CHARSET_MAX_LENGTH = 40
CONTENT_HASH_LENGTH = 64  # SHA-256 in hex
# A page that answered with a status from here up (4xx, 5xx) is kept as evidence but never shown
# as a plain success: its title fills nothing and a version without an error is preferred.
HTTP_ERROR_MIN = 400


class Snapshot(models.Model):
    """One capture of a link: a version. Artifacts are storage names relative to default_storage."""

    class Status(models.TextChoices):
        # Held back by the owner's fair share (running captures, hourly rate, bulk pace); the
        # dispatcher (snapshots.archive.dispatch) moves it to queued when its turn comes.
        WAITING = "waiting", _("waiting")
        QUEUED = "queued", _("queued")  # handed to the broker (or about to be)
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    class Trigger(models.TextChoices):
        SAVE = "save", _("saved")
        MANUAL = "manual", _("asked for")
        IMPORT = "import", _("import")
        SCHEDULE = "schedule", _("schedule")
        BULK = "bulk", _("bulk recapture")  # many links at once from the list: paced like imports

    class Source(models.TextChoices):
        CAPTURE = "capture", _("captured by linkhome")
        BROWSER = "browser", _("saved from browser")  # the reader uploaded the page (`upload` artifact)

    ARTIFACT_KINDS = ("screenshot", "thumbnail", "html", "dom", "pdf", "text", "favicon", "original", "reader",
                      "upload")
    # Never shown on a share: the file as the owner's browser saved it can hold their session's secrets.
    OWNER_ONLY_KINDS = frozenset({"upload"})
    FINISHED = (Status.SUCCEEDED, Status.FAILED)
    IN_FLIGHT = (Status.QUEUED, Status.RUNNING)  # what counts against CAPTURE_USER_CONCURRENCY
    BULK_TRIGGERS = (Trigger.IMPORT, Trigger.SCHEDULE, Trigger.BULK)  # paced by CAPTURE_BULK_PER_MINUTE

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="snapshots")
    # The link's owner, kept on the row so that deciding whose capture goes next reads one
    # table through small indexes, even with 100,000 of one user's captures waiting.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=CHOICE_MAX_LENGTH, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=CHOICE_MAX_LENGTH, choices=Trigger.choices, default=Trigger.SAVE)
    # Where the page came from: the live URL, or a page the owner saved in their own browser and
    # uploaded (kept as the `upload` artifact and rendered by the capture browser with scripts off).
    source = models.CharField(
        max_length=CHOICE_MAX_LENGTH, choices=Source.choices, default=Source.CAPTURE, db_default=Source.CAPTURE
    )
    # Why a capture failed and what to know about one that succeeded, in English (`error` is
    # part of the API) and as reason codes that pages word in the reader's language
    # (snapshots.archive.reasons). Rows from before codes have only the English. The database
    # defaults let code from before the codes keep inserting rows while a release rolls out.
    error = models.CharField(max_length=SNAPSHOT_ERROR_MAX_LENGTH, blank=True)
    error_code = models.CharField(max_length=REASON_CODE_MAX_LENGTH, blank=True, default="", db_default="")
    error_params = models.JSONField(default=dict, db_default={}, blank=True)
    note = models.CharField(max_length=SNAPSHOT_NOTE_MAX_LENGTH, blank=True)  # one note a line
    note_reasons = models.JSONField(default=list, db_default=[], blank=True)  # [{"code": …, "params": {…}}, …]
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=TASK_ID_MAX_LENGTH, blank=True)  # the delivery that holds the claim
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    enqueued = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    last_checked = models.DateTimeField(null=True, blank=True)
    final_url = models.CharField(max_length=URL_MAX_LENGTH, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=CONTENT_TYPE_MAX_LENGTH, blank=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    description = models.TextField(blank=True)
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH, blank=True)
    charset = models.CharField(max_length=CHARSET_MAX_LENGTH, blank=True)
    content_hash = models.CharField(max_length=CONTENT_HASH_LENGTH, blank=True)
    # Storage names of the artifacts ({"screenshot": "snapshots/…/screenshot.webp", …}) and their
    # byte sizes; one JSON column each keeps the schema stable as artifact kinds evolve.
    artifacts = models.JSONField(default=dict, blank=True)
    sizes = models.JSONField(default=dict, blank=True)
    # The sum of `sizes`: the logical bytes charged to the owner's quota, however many other
    # snapshots share the same stored files.
    stored_bytes = models.PositiveBigIntegerField(default=0, db_default=0)
    timings = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True)  # visible page text, truncated, for search and diffs
    # The text of the reader copy (the main content, boilerplate out), truncated like `text`:
    # what search indexes and excerpts quote when there is one.
    reader_text = models.TextField(blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["link", "-created"], name="snapshot_link_recent"),
            models.Index(
                fields=["status", "created"],
                name="snapshot_unfinished",
                condition=Q(status__in=["queued", "running"]),
            ),
            # The dispatcher's reads (snapshots.archive.dispatch): an owner's waiting captures
            # oldest first, those they asked for apart; what they have in flight; what went
            # out in the last minute or hour.
            models.Index(fields=["owner", "created"], name="snapshot_waiting", condition=Q(status="waiting")),
            models.Index(
                fields=["owner", "created"],
                name="snapshot_waiting_asked",
                condition=Q(status="waiting") & ~Q(trigger__in=["import", "schedule", "bulk"]),
            ),
            models.Index(fields=["owner"], name="snapshot_in_flight", condition=Q(status__in=["queued", "running"])),
            models.Index(fields=["owner", "enqueued"], name="snapshot_enqueued", condition=Q(enqueued__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status} {self.link_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_http_error(self) -> bool:
        """A capture of a 4xx or 5xx answer: its artifacts are evidence of that answer, not the page.

        Only a succeeded capture is one; a capture waiting to try a 503 again is not (yet)."""
        return self.status == self.Status.SUCCEEDED and (self.http_status or 0) >= HTTP_ERROR_MIN


def http_error_rank() -> models.Case:
    """1 for a snapshot of an error answer, else 0: ordering by it first puts good captures first."""
    return models.Case(
        models.When(http_status__gte=HTTP_ERROR_MIN, then=models.Value(1)),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


SHARE_TITLE_MAX_LENGTH = 200
SHARE_TOKEN_MAX_LENGTH = 64


class Share(models.Model):
    """A tag of one user's links published as a collection under an unguessable token."""

    class Moderation(models.TextChoices):
        OK = "ok", _("ok")
        DISABLED = "disabled", _("disabled by staff")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares")
    tag_name = models.CharField(_("tag"), max_length=TAG_MAX_LENGTH)
    title = models.CharField(_("title"), max_length=SHARE_TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True)
    token = models.CharField(max_length=SHARE_TOKEN_MAX_LENGTH, unique=True)
    active = models.BooleanField(_("active"), default=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    moderation = models.CharField(max_length=CHOICE_MAX_LENGTH, choices=Moderation.choices, default=Moderation.OK)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


REPORT_MESSAGE_MAX_LENGTH = 2_000


class Report(models.Model):
    """A visitor's complaint about a shared collection or a link in it."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("spam")
        ILLEGAL = "illegal", _("illegal content")
        ABUSE = "abuse", _("harassment or abuse")
        MALWARE = "malware", _("malware or phishing")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DISMISSED = "dismissed", _("dismissed")
        ACTIONED = "actioned", _("actioned")

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="reports")
    link = models.ForeignKey(Link, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    reason = models.CharField(_("reason"), max_length=CHOICE_MAX_LENGTH, choices=Reason.choices)
    message = models.TextField(_("message"), blank=True, max_length=REPORT_MESSAGE_MAX_LENGTH)
    reporter_ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=CHOICE_MAX_LENGTH, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.status})"


AUDIT_LABEL_MAX_LENGTH = 50  # action, target type and target id
AUDIT_REASON_MAX_LENGTH = 2_000  # what a moderator types; the column itself is a TextField


class AuditEntry(models.Model):
    """Append-only record of staff actions and staff views of user content."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=AUDIT_LABEL_MAX_LENGTH)
    target_type = models.CharField(max_length=AUDIT_LABEL_MAX_LENGTH)
    target_id = models.CharField(max_length=AUDIT_LABEL_MAX_LENGTH)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["target_type", "target_id", "created"], name="audit_target")]  # by target

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class SearchDocument(models.Model):
    """The search index row of one link, kept current by `snapshots.search.changes.link_changed`.

    `head` (title and tags), `meta` (URL, description, notes) and `body` (newest page text)
    are the normalised text the index was built from, with Traditional characters folded to
    Simplified: SQLite searches them directly, PostgreSQL uses them to verify phrase and CJK
    matches, excerpts find their match in them. `meta_original` and `body_original` hold the text
    as written where folding changed it (null otherwise; same length, same offsets): what an
    excerpt shows. The vectors exist for
    PostgreSQL's GIN index only; `owner` and `created` are copies that keep scoping and
    ordering on this one table.
    """

    link = models.OneToOneField(Link, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField()
    head = models.TextField(blank=True)
    meta = models.TextField(blank=True)
    body = models.TextField(blank=True)
    meta_original = models.TextField(null=True, blank=True)
    body_original = models.TextField(null=True, blank=True)
    head_vector = TsVectorField(null=True, editable=False)
    body_vector = TsVectorField(null=True, editable=False)
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    indexed = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created"], name="searchdoc_owner_recent")]

    def __str__(self) -> str:
        return f"search document of link #{self.link_id}"


STORAGE_NAME_MAX_LENGTH = 300
IMPORT_ERROR_MAX_LENGTH = 300
SKIPPED_URL_MAX_LENGTH = 500  # of each entry in ImportJob.skipped


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports")
    upload = models.CharField(max_length=STORAGE_NAME_MAX_LENGTH)  # storage name of the uploaded file
    capture = models.BooleanField(default=False)
    status = models.CharField(max_length=CHOICE_MAX_LENGTH, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_links = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)
    # Why a job failed: English in `error` (the API's), and a reason code with its parameters
    # that pages word in the reader's language (snapshots.archive.reasons), as for snapshots.
    error = models.CharField(max_length=IMPORT_ERROR_MAX_LENGTH, blank=True)
    error_code = models.CharField(max_length=REASON_CODE_MAX_LENGTH, blank=True, default="", db_default="")
    error_params = models.JSONField(default=dict, db_default={}, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    enqueued = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)  # when its latest run began
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"import #{self.pk} ({self.status})"


class StoredFile(models.Model):
    """An artifact file named by its content hash, shared by every snapshot that holds those bytes.

    `refs` counts the snapshot artifacts naming it; it changes under this row's lock
    (snapshots.storage.blobs), and the file goes with its last reference.
    """

    name = models.CharField(max_length=STORAGE_NAME_MAX_LENGTH, unique=True)
    size = models.PositiveBigIntegerField()
    refs = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["refs"], name="storedfile_unreferenced", condition=Q(refs=0))]

    def __str__(self) -> str:
        return f"{self.name} ({self.refs})"
