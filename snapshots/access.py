"""Who may see what: the one place that answers it. Everything else calls these helpers.

Three ways in: the owner (session or API token), a visitor holding the token of a live share, and
staff — but staff only for links somebody exposed (shared) or complained about (reported), and the
caller must write each such look to the audit log (`staff_view` says when).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from snapshots.models import ImportJob, Link, Report, Share, Snapshot, TaggedLink
from snapshots.storage.signing import token_fingerprint


def links_of(user) -> QuerySet[Link]:
    """The links a signed-in user owns; anonymous users own nothing."""
    if not user.is_authenticated:
        return Link.objects.none()
    return Link.objects.filter(owner=user)


def get_link_for_user(user, link_id: int) -> Link:
    """The user's own link, or 404 — also for other users' links, so ids reveal nothing."""
    return get_object_or_404(links_of(user), pk=link_id)


def get_import_job_for_user(user, job_id: int) -> ImportJob:
    """The user's own import job, or 404."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(ImportJob, pk=job_id, owner=user)


def get_snapshot_for_user(user, snapshot_id: int) -> Snapshot:
    """The user's own snapshot, or 404 (API and owner pages)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Snapshot.objects.select_related("link"), pk=snapshot_id, link__owner=user
    )


@dataclass(frozen=True)
class SnapshotGrant:
    snapshot: Snapshot
    staff_view: bool  # True when staff looks at someone else's snapshot: audit it


def staff_may_view(link: Link) -> bool:
    """Staff see a user's link only once it is exposed by a share or named in a report."""
    # Share.tag_name keeps the owner's spelling and tags compare case-insensitively.
    tagged = TaggedLink.objects.filter(content_object=link, tag__name__iexact=OuterRef("tag_name"))
    return (
        Share.objects.filter(Exists(tagged), owner_id=link.owner_id).exists()
        or Report.objects.filter(link=link).exists()
    )


def grant_snapshot(user, snapshot_id: int) -> SnapshotGrant:
    """The owner's snapshot, or (for staff) a shared or reported one; 404 for everyone else."""
    if not user.is_authenticated:
        raise Http404
    snapshot = get_object_or_404(Snapshot.objects.select_related("link"), pk=snapshot_id)
    if snapshot.link.owner_id == user.pk:
        return SnapshotGrant(snapshot, staff_view=False)
    if user.is_staff and staff_may_view(snapshot.link):
        return SnapshotGrant(snapshot, staff_view=True)
    raise Http404


def live_shares() -> QuerySet[Share]:
    """Shares a visitor may open: switched on, not disabled by staff, unexpired, owner not suspended."""
    return Share.objects.filter(
        Q(expires__isnull=True) | Q(expires__gt=timezone.now()),
        active=True,
        moderation=Share.Moderation.OK,
        owner__is_active=True,
        owner__suspended_at__isnull=True,
    )


def get_live_share(token: str) -> Share:
    """The share behind a public token, or 404 for paused, expired, rotated-away and disabled ones."""
    return get_object_or_404(live_shares().select_related("owner"), token=token)


def shared_links(share: Share) -> QuerySet[Link]:
    """What a share shows: the owner's links with its tag, minus anything staff hid."""
    tagged = TaggedLink.objects.filter(content_object=OuterRef("pk"), tag__name__iexact=share.tag_name)
    return Link.objects.filter(Exists(tagged), owner_id=share.owner_id, hidden_by_staff=False)


def get_shared_link(share: Share, link_id: int) -> Link:
    return get_object_or_404(shared_links(share), pk=link_id)


def get_shared_snapshot(share: Share, snapshot_id: int) -> Snapshot:
    """A finished snapshot of a link the share shows; queued or failed ones have nothing to show."""
    return get_object_or_404(
        Snapshot.objects.select_related("link"),
        pk=snapshot_id,
        status=Snapshot.Status.SUCCEEDED,
        link__in=shared_links(share).values("pk"),
    )


def profile_shares(username: str) -> tuple[User, QuerySet[Share]]:
    """A public profile exists only for active users who opted in to listing their collections."""
    user = get_object_or_404(
        User, username=username, is_active=True, suspended_at__isnull=True, show_collections_on_profile=True
    )
    return user, live_shares().filter(owner=user)


def shares_of(user) -> QuerySet[Share]:
    """The shares a user owns (paused and disabled included: it is their management view)."""
    if not user.is_authenticated:
        return Share.objects.none()
    return Share.objects.filter(owner=user)


def get_share_for_owner(user, share_id: int) -> Share:
    return get_object_or_404(shares_of(user), pk=share_id)


@dataclass(frozen=True)
class SignedGrant:
    snapshot: Snapshot
    share: Share | None
    staff_viewer: User | None  # set when the URL was made for staff: audit the fetch


def grant_signed(payload: dict) -> SignedGrant:
    """Re-check a signed artifact URL's grant now: the share must still be live under the same
    token, the viewer still active and still entitled to the snapshot."""
    if "h" in payload:
        share = get_object_or_404(live_shares(), pk=payload["h"])
        if token_fingerprint(share.token) != payload.get("t"):
            raise Http404
        return SignedGrant(get_shared_snapshot(share, payload["s"]), share, None)
    viewer = get_object_or_404(User, pk=payload.get("v"), is_active=True, suspended_at__isnull=True)
    grant = grant_snapshot(viewer, payload["s"])
    return SignedGrant(grant.snapshot, None, viewer if grant.staff_view else None)
