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
# Takes a slot in both sets or in neither; slots past their deadline are dropped first.
_TAKE_SLOT = """
for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[1]) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  return 0
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], ARGV[2], ARGV[3])
  redis.call('EXPIREAT', KEYS[i], math.ceil(tonumber(ARGV[2])))
end
return 1
"""


@cache
def _redis_at(url: str, longest_wait: int) -> redis.Redis:
    # One pool a process; a read outlasts the longest wait, so a held request is never cut short.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=longest_wait + _SLOT_GRACE)


def _redis() -> redis.Redis:
    return _redis_at(settings.REDIS_URL, settings.API_WAIT_MAX_SECONDS)


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
    except redis.RedisError as exc:  # a waiter then answers at its deadline
        log.warning("capture ends not announced (%s)", exc)


def announce_after_commit(*snapshot_ids: int) -> None:
    """Announce the ends once the transaction that records them has committed."""
    ids = list(snapshot_ids)
    transaction.on_commit(lambda: announce(ids), robust=True)


def listeners(snapshot_id: int) -> int:
    """Requests waiting on this snapshot now (on this site's Redis)."""
    return dict(_redis().pubsub_numsub(_channel(snapshot_id))).get(_channel(snapshot_id).encode(), 0)


def held_waits() -> int:
    """Wait slots taken now on the whole site, lapsed ones left out."""
    return _redis().zcount(_SLOTS_KEY, time.time(), "+inf")


def _take_slot(user_id: int, seconds: float) -> str | None:
    token = secrets.token_hex(8)
    now = time.time()
    taken = _redis().eval(
        _TAKE_SLOT, 2, _SLOTS_KEY, f"{_SLOTS_KEY}:{user_id}",
        now, now + seconds + _SLOT_GRACE, token, settings.API_WAIT_SLOTS, settings.API_WAITS_PER_USER,
    )
    return token if taken else None


def _free_slot(user_id: int, token: str) -> None:
    with _redis().pipeline(transaction=False) as pipe:
        pipe.zrem(_SLOTS_KEY, token)
        pipe.zrem(f"{_SLOTS_KEY}:{user_id}", token)
        pipe.execute()


def wait_for_end(snapshot_id: int, user_id: int, seconds: float) -> bool:
    """Hold the caller until the snapshot's capture has ended or `seconds` have passed.

    Returns False at once when no slot is free or Redis cannot be reached, True otherwise (the
    caller reads the snapshot again either way it waited).
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
        with _redis().pubsub(ignore_subscribe_messages=True) as channel:
            channel.subscribe(_channel(snapshot_id))
            # Subscribed before looking: an end committed in between is seen here, one after is heard.
            if Snapshot.objects.filter(pk=snapshot_id, status__in=Snapshot.FINISHED).exists():
                return True
            while (left := deadline - time.monotonic()) > 0:
                if channel.get_message(timeout=left) is not None:
                    break
    except redis.RedisError as exc:
        log.warning("wait for snapshot %s cut short (%s)", snapshot_id, exc)
    finally:
        try:
            _free_slot(user_id, token)
        except redis.RedisError:
            pass  # the slot lapses at its deadline
    return True
