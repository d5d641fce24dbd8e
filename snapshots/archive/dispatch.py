"""Fair shares of the capture workers: when an owner's next capture goes to the broker.

Every owner has at most CAPTURE_USER_CONCURRENCY captures in flight (queued in the broker or
running). The rest wait in the database as `waiting`, so the broker's queues hold at most a
few messages per owner and the workers serve owners in turn: one user's backlog of 100,000
imported links sits in front of nobody else's capture. An owner's own captures go in this
order: what they asked for (unless over CAPTURE_RATE_PER_HOUR), then imports and scheduled
re-captures, which draw on a budget of their own (CAPTURE_BULK_PER_MINUTE) and never queue
beyond it. A capture's end releases the owner's next one at once; the pacer (a beat task)
releases whatever the budgets allow since, so a paced backlog drains slowly but always.

Decisions about one owner are taken under a lock on the owner's row (PostgreSQL; SQLite
runs one writer at a time), so two requests at the same moment cannot both take the last slot.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from snapshots import queues
from snapshots.models import Snapshot

log = logging.getLogger(__name__)

PACER_OWNERS = 1000  # owners the pacer looks at per run; the next run takes the rest


def lock_owner(owner_id: int) -> None:
    """Serialise decisions about this owner's share until the transaction ends."""
    list(get_user_model().objects.select_for_update().filter(pk=owner_id).values_list("pk", flat=True))


def in_flight(owner_id: int) -> int:
    return Snapshot.objects.filter(owner_id=owner_id, status__in=Snapshot.IN_FLIGHT).count()


def has_free_slot(owner_id: int) -> bool:
    return in_flight(owner_id) < settings.CAPTURE_USER_CONCURRENCY


def _handed_out_since(owner_id: int, since, *, bulk: bool) -> int:
    handed = Snapshot.objects.filter(owner_id=owner_id, enqueued__gte=since)
    if bulk:
        return handed.filter(trigger__in=Snapshot.BULK_TRIGGERS).count()
    return handed.exclude(trigger__in=Snapshot.BULK_TRIGGERS).count()


def captures_this_hour(owner_id: int) -> int:
    """Captures the owner asked for that went to the broker in the last hour."""
    return _handed_out_since(owner_id, timezone.now() - timedelta(hours=1), bulk=False)


def over_rate(owner_id: int) -> bool:
    limit = settings.CAPTURE_RATE_PER_HOUR
    return bool(limit) and captures_this_hour(owner_id) >= limit


def bulk_budget_left(owner_id: int) -> int:
    """Imports and scheduled re-captures this owner may still hand out this minute."""
    used = _handed_out_since(owner_id, timezone.now() - timedelta(minutes=1), bulk=True)
    return max(0, settings.CAPTURE_BULK_PER_MINUTE - used)


def enqueue(snapshot_id: int, *, bulk: bool = False) -> bool:
    """Publish the capture task; on broker trouble the row stays queued for the sweeper."""
    queue = queues.BULK_QUEUE if bulk else queues.CAPTURE_QUEUE
    if not queues.send(queues.CAPTURE_TASK, snapshot_id, queue=queue):
        return False
    Snapshot.objects.filter(pk=snapshot_id).update(enqueued=timezone.now())
    return True


def _next_waiting(owner_id: int, *, interactive: bool, bulk_left: int) -> Snapshot | None:
    waiting = Snapshot.objects.filter(status=Snapshot.Status.WAITING, owner_id=owner_id).order_by("created", "id")
    if interactive:
        found = waiting.exclude(trigger__in=Snapshot.BULK_TRIGGERS).only("pk", "trigger").first()
        if found is not None:
            return found
    if bulk_left > 0:
        return waiting.filter(trigger__in=Snapshot.BULK_TRIGGERS).only("pk", "trigger").first()
    return None


def snapshot_release(*, owner_id: int) -> int:
    """Move the owner's next waiting captures to queued while slots are free; publish after commit."""
    picked: list[tuple[int, bool]] = []
    with transaction.atomic():
        lock_owner(owner_id)
        free = settings.CAPTURE_USER_CONCURRENCY - in_flight(owner_id)
        if free <= 0:
            return 0
        interactive = not over_rate(owner_id)
        bulk_left = bulk_budget_left(owner_id)
        while free > 0:
            found = _next_waiting(owner_id, interactive=interactive, bulk_left=bulk_left)
            if found is None:
                break
            Snapshot.objects.filter(pk=found.pk, status=Snapshot.Status.WAITING).update(
                status=Snapshot.Status.QUEUED, enqueued=None
            )
            bulk = found.trigger in Snapshot.BULK_TRIGGERS
            bulk_left -= bulk
            picked.append((found.pk, bulk))
            free -= 1

        def publish() -> None:
            for snapshot_id, bulk in picked:
                enqueue(snapshot_id, bulk=bulk)

        transaction.on_commit(publish, robust=True)
    return len(picked)


def release_after_commit(owner_id: int) -> None:
    """Release the owner's next capture once the current transaction has committed."""
    transaction.on_commit(lambda: snapshot_release(owner_id=owner_id), robust=True)


# Owners with waiting captures, one index probe each (a loose scan of `snapshot_waiting`):
# walking the waiting rows themselves would cost one step per row of the biggest backlog.
_WAITING_OWNERS_SQL = """
WITH RECURSIVE waiting_owner(owner_id) AS (
    SELECT MIN(owner_id) FROM {table} WHERE status = %s
    UNION ALL
    SELECT (SELECT MIN(owner_id) FROM {table} WHERE status = %s AND owner_id > waiting_owner.owner_id)
    FROM waiting_owner WHERE waiting_owner.owner_id IS NOT NULL
)
SELECT owner_id FROM waiting_owner WHERE owner_id IS NOT NULL LIMIT %s
"""


def waiting_owners(limit: int = PACER_OWNERS) -> list[int]:
    sql = _WAITING_OWNERS_SQL.format(table=Snapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Snapshot.Status.WAITING, Snapshot.Status.WAITING, limit])
        return [owner_id for (owner_id,) in cursor.fetchall()]


def release_waiting() -> int:
    """The pacer: give every owner with waiting captures whatever their share allows now."""
    released = 0
    for owner_id in waiting_owners():
        try:
            released += snapshot_release(owner_id=owner_id)
        except Exception:  # one owner's trouble (a deleted account mid-run) must not stop the rest
            log.exception("releasing the waiting captures of owner %s failed", owner_id)
    return released
