"""Live capture status: one poll per page for the captures it shows that have not finished.

A page that shows a capture still waiting, queued or running carries one poller element. htmx
fetches it after a delay that grows with each round (POLL_DELAYS, then the last one for good);
the answer is the next poller plus out-of-band swaps of the parts that may have changed
(status badges, thumbnails, titles, descriptions). Once every capture the page asked about has
finished, the poller comes back without a trigger and the polling stops. A held-open stream
would tie up one of the few synchronous web workers per reader, which polling does not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from snapshots.models import Snapshot

POLL_DELAYS = (2, 3, 5, 8, 13, 15)  # seconds before each round; the last repeats
POLL_IDS_MAX = 100  # link ids one poll asks about: more than a page of rows


@dataclass(frozen=True, slots=True)
class Poll:
    """The poller element's request: `url` is empty when there is nothing left to poll."""

    url: str = ""
    delay: int = POLL_DELAYS[0]


def poll_round(params: QueryDict) -> int:
    """Which round this request is (0 for the page itself), from the poller's `n`."""
    try:
        return max(0, min(int(params.get("n", "0")), 1000))
    except ValueError:
        return 0


def next_poll(
    base_url: str, *, round_: int, active: bool, delays: tuple[int, ...] = POLL_DELAYS, **params: object
) -> Poll:
    """The poller for round `round_ + 1`, or an idle one when nothing is left to wait for."""
    if not active:
        return Poll()
    delay = delays[min(round_, len(delays) - 1)]
    query = urlencode({**{k: v for k, v in params.items() if v not in ("", None)}, "n": round_ + 1})
    return Poll(url=f"{base_url}?{query}", delay=delay)


def parse_ids(value: str) -> list[int]:
    """Link ids from a poller's `ids=1,2,3`; at most POLL_IDS_MAX, the rest ignored."""
    ids = []
    for part in value.split(",")[:POLL_IDS_MAX]:
        if part.strip().isdigit():
            ids.append(int(part))
    return list(dict.fromkeys(ids))


def join_ids(ids: Iterable[object]) -> str:
    return ",".join(str(pk) for pk in ids)


def snapshots_signature(snapshots: Iterable[Snapshot]) -> str:
    """A short digest of which versions exist and their statuses: it changes when a page's
    versions table, badges or title (filled in when a capture finishes) may have changed."""
    state = ";".join(f"{snap.pk}:{snap.status}" for snap in snapshots)
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def any_unfinished(snapshots: Iterable[Snapshot]) -> bool:
    return any(snap.status not in Snapshot.FINISHED for snap in snapshots)
