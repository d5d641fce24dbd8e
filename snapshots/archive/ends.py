"""A capture's end, told to whoever waits for it: the API's `?wait=` on a snapshot.

A client that has saved a link wants to know when its capture has ended. Polling every few
hundred milliseconds costs requests and still learns of the end late (half an interval on
average); a held request learns of it at once. Every write path that ends a capture calls
`announce_after_commit`, which publishes the snapshot's id on a Redis channel once the end is
committed; `wait_for_end` holds a request until that message, or its deadline.

A held request holds a web process (the site runs sync gunicorn workers), so waits are rationed:
at most API_WAIT_SLOTS at once on the whole site and API_WAITS_PER_USER per user. A wait beyond
either, or one while Redis cannot be reached, is not held: the request is answered at once, as
without `?wait=`. Slots are taken with a deadline, so a process killed mid-wait frees its slot
when its wait would have ended anyway.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable
from functools import cache

import redis
from django.conf import settings
from django.db import transaction

from snapshots.models import Snapshot

log = logging.getLogger(__name__)

_SLOTS_KEY = "linkhome:end-waits"
_SLOT_GRACE = 5  # s a slot outlives its wait, for the answer to be written
_RECHECK = 2  # s between looks at the row while held: an end nobody announced is still seen
# Takes a slot in both sets or in neither, by Redis's clock; slots past their deadline are dropped
# first. A set lives as long as the longest wait could, so a short wait never cuts a long one's slot.
_TAKE_SLOT = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  return 0
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[5])
end
return 1
"""
_FREE_SLOT = "for i = 1, 2 do redis.call('ZREM', KEYS[i], ARGV[1]) end"


@cache
def _redis_at(url: str) -> redis.Redis:
    # One pool a process. A held wait reads with its own timeout (get_message); every other call
    # gives up soon, so a stalled Redis costs a request seconds, never its whole web process.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def _redis() -> redis.Redis:
    return _redis_at(settings.REDIS_URL)


def _channel(snapshot_id: int) -> str:
    # Channels are not kept per Redis database as keys are: the database number keeps the
    # channels of sites sharing one Redis apart.
    database = _redis().connection_pool.connection_kwargs.get("db", 0)
    return f"linkhome:{database}:snapshot-ended:{snapshot_id}"


def announce(snapshot_ids: Iterable[int]) -> None:
    """Tell the requests waiting on these snapshots that their captures have ended."""
    try:
        with _redis().pipeline(transaction=False) as pipe:
            for snapshot_id in snapshot_ids:
                pipe.publish(_channel(snapshot_id), b"")
            pipe.execute()
    except redis.RedisError as exc:  # a waiter then sees the end at its next look at the row
        log.warning("capture ends not announced (%s)", exc)


def announce_after_commit(*snapshot_ids: int) -> None:
    """Announce the ends once the transaction that records them has committed."""
    ids = list(snapshot_ids)
    transaction.on_commit(lambda: announce(ids), robust=True)


def listeners(snapshot_id: int) -> int:
    """Requests waiting on this snapshot now (on this site's Redis)."""
    channel = _channel(snapshot_id)
    return dict(_redis().pubsub_numsub(channel)).get(channel.encode(), 0)


def held_waits() -> int:
    """Wait slots taken now on the whole site, lapsed ones left out."""
    return _redis().zcount(_SLOTS_KEY, time.time(), "+inf")


def _take_slot(user_id: int, seconds: float) -> str | None:
    token = secrets.token_hex(8)
    lifetime = settings.API_WAIT_MAX_SECONDS + _SLOT_GRACE
    keys = [_SLOTS_KEY, f"{_SLOTS_KEY}:{user_id}"]
    args = [token, seconds + _SLOT_GRACE, settings.API_WAIT_SLOTS, settings.API_WAITS_PER_USER, lifetime]
    return token if _redis().register_script(_TAKE_SLOT)(keys=keys, args=args) else None


def _free_slot(user_id: int, token: str) -> None:
    _redis().register_script(_FREE_SLOT)(keys=[_SLOTS_KEY, f"{_SLOTS_KEY}:{user_id}"], args=[token])


def _ended(snapshot_id: int) -> bool:
    # A row gone (deleted while held) has ended too: the caller's read answers 404.
    return not Snapshot.objects.filter(pk=snapshot_id).exclude(status__in=Snapshot.FINISHED).exists()


def wait_for_end(snapshot_id: int, user_id: int, seconds: float) -> bool:
    """Hold the caller until the snapshot's capture has ended or `seconds` have passed.

    Returns False at once when no slot is free or Redis cannot be reached, True otherwise (the
    caller reads the snapshot again). The end is heard on the snapshot's channel; the row is
    looked at once subscribed (an end committed before that was never heard) and every few
    seconds after (an end nobody announced: staff editing it in the admin, a publish that failed).
    """
    try:
        token = _take_slot(user_id, seconds)
    except redis.RedisError as exc:
        log.warning("no wait for snapshot %s: Redis unreachable (%s)", snapshot_id, exc)
        return False
    if token is None:
        return False
    deadline = time.monotonic() + seconds
    try:
        with _redis().pubsub() as channel:
            channel.subscribe(_channel(snapshot_id))
            while (left := deadline - time.monotonic()) > 0:
                message = channel.get_message(timeout=min(left, _RECHECK))
                if message is not None and message["type"] == "message":
                    break
                # Redis confirmed the subscription (every end after it is heard) or a while passed.
                if _ended(snapshot_id):
                    break
    except redis.RedisError as exc:
        log.warning("wait for snapshot %s cut short (%s)", snapshot_id, exc)
    finally:
        try:
            _free_slot(user_id, token)
        except redis.RedisError:
            pass  # the slot lapses at its deadline
    return True
