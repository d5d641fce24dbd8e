"""The audit log as staff read it: filters, and every entry worded in the reader's language.

The log names its targets by type and id (a deleted link or account keeps its entries), so a
page of entries gathers its targets afterwards: one query per kind of target on the page,
never one per entry. What the entries say about deleted targets comes from their details.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from snapshots.models import AuditEntry, Link, Report, Share

# Every action the write paths record (audit_record callers), worded for a reader of the log.
ACTIONS: dict[str, Promise] = {
    "link.hide": _("Hid a link from public views"),
    "link.unhide": _("Showed a hidden link again"),
    "share.disable": _("Unpublished a collection"),
    "share.enable": _("Published a collection again"),
    "report.dismiss": _("Dismissed a report"),
    "report.hide_link": _("Hid the reported link"),
    "report.disable_share": _("Unpublished the reported collection"),
    "report.suspend_user": _("Suspended the reported owner"),
    "report.restore": _("Undid a report's actions"),
    "user.suspend": _("Suspended an account"),
    "user.restore": _("Lifted a suspension"),
    "user.delete": _("Deleted an account"),
    "snapshot.view": _("Looked at a user's saved copy"),
    "link.create": _("Added a link for a user"),
    "link.edit": _("Edited a user's link"),
    "link.delete": _("Deleted a user's link"),
    "tag.create": _("Created a tag"),
    "tag.edit": _("Edited a tag"),
    "tag.delete": _("Deleted a tag"),
}


def action_text(action: str) -> str:
    """The reader's wording of an action; an action no longer written keeps its code."""
    return str(ACTIONS.get(action, action))


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""  # a username
    target_user: str = ""  # a username: entries about the account or anything of it
    since: date | None = None  # days in the viewer's time zone, both ends included
    until: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _as_text(queryset: QuerySet) -> QuerySet:
    # target_id is text: ids are compared as text so the column's index can be used.
    return queryset.annotate(target=Cast("pk", CharField())).values("target")


def _target_user_id(username: str) -> int | None:
    """The account's id, also for an account since deleted (its deletion entry keeps the name)."""
    found = User.objects.filter(username=username).values_list("pk", flat=True).first()
    if found is not None:
        return found
    deleted = AuditEntry.objects.filter(action="user.delete", details__username=username).values_list(
        "target_id", flat=True
    )
    target = deleted.first()
    return int(target) if target is not None and target.isdigit() else None


def _about_user(user_id: int) -> Q:
    """Entries about an account: the account itself, its links (also deleted ones, whose entries
    name the owner), its collections, and the reports about them."""
    return (
        Q(target_type="user", target_id=str(user_id))
        | Q(target_type="link", target_id__in=_as_text(Link.objects.filter(owner_id=user_id)))
        | Q(target_type="link", details__owner=user_id)
        | Q(target_type="share", target_id__in=_as_text(Share.objects.filter(owner_id=user_id)))
        | Q(target_type="report", target_id__in=_as_text(Report.objects.filter(share__owner_id=user_id)))
    )


def audit_entries(chosen: AuditFilter) -> QuerySet[AuditEntry]:
    """The entries the filter keeps, newest first, with their actors."""
    entries = AuditEntry.objects.select_related("actor").order_by("-created", "-id")
    if chosen.action:
        entries = entries.filter(action=chosen.action)
    if chosen.actor:
        entries = entries.filter(actor__username=chosen.actor)
    if chosen.target_user:
        user_id = _target_user_id(chosen.target_user)
        entries = entries.filter(_about_user(user_id)) if user_id is not None else entries.none()
    if chosen.since:
        entries = entries.filter(created__gte=_day_start(chosen.since))
    if chosen.until:
        entries = entries.filter(created__lt=_day_start(chosen.until + timedelta(days=1)))
    return entries


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    action: str  # in the reader's language
    target: str  # what the entry is about, as the reader can tell it
    target_user: str  # the account the target belongs to, "" for site-wide things (tags)


def _ids(entries: Iterable[AuditEntry], kind: str) -> list[int]:
    return [int(e.target_id) for e in entries if e.target_type == kind and e.target_id.isdigit()]


def _owner_id(entry: AuditEntry) -> int | None:
    owner = (entry.details or {}).get("owner")
    return owner if isinstance(owner, int) else None


def _by_id(queryset: QuerySet, ids: list[int]) -> dict[int, object]:
    return {obj.pk: obj for obj in queryset.filter(pk__in=ids)} if ids else {}


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """Rows for a page of entries: at most four more queries (links, collections, reports,
    accounts), whatever the page holds."""
    entries = list(entries)
    by_kind: dict[str, dict[int, object]] = defaultdict(dict)
    links = Link.objects.select_related("owner").only("title", "url", "owner__username")
    by_kind["link"] = _by_id(links, _ids(entries, "link"))
    by_kind["share"] = _by_id(Share.objects.select_related("owner"), _ids(entries, "share"))
    by_kind["report"] = _by_id(Report.objects.select_related("share__owner"), _ids(entries, "report"))
    user_ids = set(_ids(entries, "user"))
    user_ids |= {owner for e in entries if e.target_type == "link" and (owner := _owner_id(e)) is not None}
    names = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}
    return [_row(entry, by_kind, names) for entry in entries]


def _row(entry: AuditEntry, by_kind: dict[str, dict[int, object]], names: dict[int, str]) -> AuditRow:
    kind, details = entry.target_type, entry.details or {}
    pk = int(entry.target_id) if entry.target_id.isdigit() else None
    found = by_kind[kind].get(pk) if pk is not None else None
    target, owner = "", ""
    if kind == "link":
        if isinstance(found, Link):
            target, owner = found.title or found.url, found.owner.username
        else:
            target = str(details.get("url") or _("link #%(id)s (deleted)") % {"id": entry.target_id})
            owner = names.get(_owner_id(entry) or 0, "")
    elif kind == "share":
        target = found.title if isinstance(found, Share) else _("collection #%(id)s (deleted)") % {"id": pk}
        owner = found.owner.username if isinstance(found, Share) else ""
    elif kind == "report":
        if isinstance(found, Report):
            target = _("report #%(id)s on “%(title)s”") % {"id": pk, "title": found.share.title}
            owner = found.share.owner.username
        else:
            target = _("report #%(id)s (deleted)") % {"id": entry.target_id}
    elif kind == "user":
        owner = names.get(pk or 0) or str(details.get("username") or "")
        target = owner or _("account #%(id)s (deleted)") % {"id": entry.target_id}
    elif kind == "tag":
        target = _("tag “%(name)s”") % {"name": details.get("name", entry.target_id)}
    else:
        target = f"{kind} #{entry.target_id}"
    return AuditRow(entry=entry, action=action_text(entry.action), target=str(target), target_user=owner)
