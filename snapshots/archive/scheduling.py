"""Scheduled re-capture of links (`Link.recapture` daily or weekly)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from snapshots.archive import lifecycle
from snapshots.models import Link, Snapshot

DUE_BATCH = 200


def recaptures_enqueue_due(now: datetime | None = None) -> int:
    """Request a capture for each link whose next capture is due and move its date on.

    The snapshot is requested with the SCHEDULE trigger, so the dispatcher paces it and, if
    the page turns out unchanged, `diffing.snapshot_collapse_unchanged` drops it again. A
    link that still has a capture waiting is not asked twice.
    """
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = list(
            Link.objects.select_for_update(skip_locked=True)
            .filter(next_capture_at__lte=now)
            .exclude(recapture="")
            .order_by("next_capture_at")[:DUE_BATCH]
        )
        busy = set(
            Snapshot.objects.filter(
                link__in=due, status__in=[Snapshot.Status.WAITING, *Snapshot.IN_FLIGHT]
            ).values_list("link_id", flat=True)
        )
        for link in due:
            if link.pk not in busy:
                lifecycle.snapshot_request(link=link, trigger=Snapshot.Trigger.SCHEDULE)
                count += 1
            link.next_capture_at = lifecycle.next_scheduled_capture(link.recapture, now)
            link.save(update_fields=["next_capture_at"])
    return count
