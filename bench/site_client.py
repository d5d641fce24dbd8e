"""The API client side of bench_e2e: saving links and following their captures as a script
following the README would, by waiting on each snapshot (`?wait=`) or by polling it, and reading
many captures' ends gently (one list request at a time). Every capture must come back `succeeded`
with the five artifacts, or the bench stops with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bench.abuse.stack import Client

ARTIFACTS = ("screenshot", "dom", "html", "pdf", "text")  # the five outputs, as the product names them


class BenchError(RuntimeError):
    """A capture failed or came back without one of the five artifacts."""


@dataclass
class Trip:
    seconds: float  # POST until the client read `succeeded`
    done: float  # POST until the finish the snapshot records: the client's own wait left out
    server: float  # the snapshot's created until finished
    not_held: int = 0  # reads of the waiting client that came back at once, unfinished (no wait slot)


def _moment(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def finished_snapshot(snapshot: dict, url: str) -> dict:
    """The snapshot, once it is `succeeded` with all five artifacts; anything else stops the bench."""
    if snapshot["status"] != "succeeded":
        raise BenchError(f"capture of {url} {snapshot['status']}: {snapshot.get('error_code')} {snapshot.get('error')}")
    missing = [kind for kind in ARTIFACTS if not snapshot["artifacts"].get(kind)]
    if missing:
        raise BenchError(f"capture of {url} succeeded without {', '.join(missing)}")
    return snapshot


def post_link(client: Client, url: str) -> int:
    reply = client.call("POST", "/api/links/", json_body={"url": url})
    if reply.status != 201:
        raise BenchError(f"saving {url}: HTTP {reply.status} {reply.error or reply.body[:300]!r}")
    return reply.json()["snapshots"][0]["id"]


WAIT_SECONDS = 20  # the README's ?wait=


def e2e_capture(client: Client, url: str, poll: float, *, waits: bool, timeout: float = 180) -> Trip:
    """Seconds from POST until the client reads `succeeded`, from POST until the finish the snapshot
    records (the same clock: one machine), and the server's own created→finished. A client that
    `waits` holds each read until the capture ends, pausing `poll` only when a read came back at
    once unfinished (its wait was not held); the other sleeps `poll` before every read."""
    started, posted = time.perf_counter(), time.time()
    snapshot_id = post_link(client, url)
    path = f"/api/snapshots/{snapshot_id}/" + (f"?wait={WAIT_SECONDS}" if waits else "")
    not_held = 0
    while True:
        if not waits:
            time.sleep(poll)
        asked = time.perf_counter()
        reply = client.call("GET", path)
        if reply.status != 200:
            raise BenchError(f"reading snapshot {snapshot_id}: HTTP {reply.status} {reply.error}")
        snapshot = reply.json()
        if snapshot["status"] in ("succeeded", "failed"):
            seconds = time.perf_counter() - started
            break
        if time.perf_counter() - started > timeout:
            raise BenchError(f"capture of {url} still {snapshot['status']} after {timeout:.0f} s")
        if waits and time.perf_counter() - asked < WAIT_SECONDS / 2:
            not_held += 1
            time.sleep(poll)
    finished_snapshot(snapshot, url)
    finished = _moment(snapshot["finished"])
    return Trip(seconds, finished - posted, finished - _moment(snapshot["created"]), not_held)


def wait_for_ends(clients: list[Client], ids: list[int], poll: float, timeout: float,
                  each_turn: Callable[[], None] = lambda: None) -> dict[int, dict]:
    """The snapshots `ids` once all have ended, read gently: one list request each `poll` seconds,
    the users in turn (`each_turn` runs before each). A snapshot that ended stays ended, so each
    user's last list is good until their next."""
    deadline = time.monotonic() + timeout
    ended: dict[int, dict] = {}
    turn = 0
    while True:
        time.sleep(poll)
        each_turn()
        reply = clients[turn % len(clients)].call("GET", "/api/links/?page_size=100")
        turn += 1
        if reply.status != 200:
            raise BenchError(f"listing links: HTTP {reply.status} {reply.error}")
        ended.update({s["id"]: s for link in reply.json()["results"] for s in link["snapshots"]
                      if s["status"] in ("succeeded", "failed")})
        if all(snapshot_id in ended for snapshot_id in ids):
            return {snapshot_id: ended[snapshot_id] for snapshot_id in ids}
        if time.monotonic() > deadline:
            raise BenchError(f"{len(ids) - len(ended.keys() & set(ids))} captures unfinished after {timeout:.0f} s")


def ours_burst(clients: list[Client], urls: list[str], poll: float = 1.0, timeout: float = 900) -> tuple[int, float]:
    """`urls` saved at once, spread over the users in turn; seconds from the first POST to the last finish.

    The end is the snapshots' own `finished` time, so the client's polling does not blur it and
    can be gentle (wait_for_ends). One request per user each second, six a second, took about
    30 ms of the site's CPU per capture: a measuring client taking the cores it measures.
    """
    started = time.time()
    ids = [post_link(clients[n % len(clients)], url) for n, url in enumerate(urls)]
    ours = list(wait_for_ends(clients, ids, poll, timeout).values())
    for url, snapshot in zip(urls, ours, strict=True):
        finished_snapshot(snapshot, url)
    return len(urls), max(_moment(s["finished"]) for s in ours) - started
