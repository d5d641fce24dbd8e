"""Figures for Prometheus, read at each scrape from the database and Redis.

Nothing is counted in process memory: every web process (and every machine) answers the same,
and a restart loses nothing. Each scrape costs a few grouped counts, one bounded read of the
last hour's captures, and a pipeline of list lengths in Redis; the storage total, which reads
every snapshot's sizes, is kept in the cache for STORAGE_TTL seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import redis
from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from accounts.models import User
from snapshots import queues
from snapshots.models import ImportJob, Link, Snapshot, StoredFile
from snapshots.storage import blobs

WINDOW = timedelta(hours=1)  # finished captures the latency figures are taken from
WINDOW_ROWS = 10_000  # at most this many of them (the newest)
QUANTILES = (0.5, 0.9, 0.95, 0.99)
STORAGE_TTL = 300
STORAGE_KEY = "metrics:storage-bytes"


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _by(queryset, field: str) -> dict[str, int]:
    return {str(key): n for key, n in queryset.values_list(field).annotate(n=Count("pk")).order_by()}


def storage_bytes() -> int:
    """Bytes of the stored artifact files: each file shared by content hash once, and the files
    stored before that (named per snapshot) as recorded when each was written."""
    total = cache.get(STORAGE_KEY)
    if total is None:
        total = StoredFile.objects.aggregate(total=Sum("size"))["total"] or 0
        every = Snapshot.objects.exclude(sizes={}).values_list("artifacts", "sizes").iterator()
        for artifacts, sizes in every:
            total += sum(
                size for kind, size in sizes.items()
                if isinstance(size, int) and not blobs.is_blob(str((artifacts or {}).get(kind, "")))
            )
        cache.set(STORAGE_KEY, total, STORAGE_TTL)
    return total


class SiteCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from self._captures()
        yield from self._latency()
        yield from self._broker()
        totals = GaugeMetricFamily("linkhome_objects", "Rows of each kind", labels=["kind"])
        totals.add_metric(["users"], User.objects.count())
        totals.add_metric(["links"], Link.objects.count())
        yield totals
        imports = GaugeMetricFamily("linkhome_import_jobs", "Bookmark imports by status", labels=["status"])
        for status, n in _by(ImportJob.objects, "status").items():
            imports.add_metric([status], n)
        yield imports
        yield GaugeMetricFamily("linkhome_storage_bytes", "Bytes of stored artifacts", value=storage_bytes())

    def _captures(self) -> Iterator[Metric]:
        by_status = GaugeMetricFamily("linkhome_snapshots", "Snapshots by status", labels=["status"])
        counts = _by(Snapshot.objects, "status")
        for status in Snapshot.Status.values:
            by_status.add_metric([status], counts.get(status, 0))
        yield by_status
        failures = GaugeMetricFamily("linkhome_snapshot_failures", "Failed snapshots by reason code", labels=["reason"])
        for code, n in _by(Snapshot.objects.filter(status=Snapshot.Status.FAILED), "error_code").items():
            failures.add_metric([code or "unknown"], n)
        yield failures

    def _latency(self) -> Iterator[Metric]:
        since = timezone.now() - WINDOW
        rows = list(
            Snapshot.objects.filter(finished__gte=since, started__isnull=False)
            .order_by("-finished")
            .values_list("status", "created", "started", "finished")[:WINDOW_ROWS]
        )
        finished = GaugeMetricFamily(
            "linkhome_captures_last_hour", "Captures finished in the last hour by outcome", labels=["status"]
        )
        for status in Snapshot.FINISHED:
            finished.add_metric([status], sum(1 for row in rows if row[0] == status))
        yield finished
        for name, helptext, start in (
            ("linkhome_capture_seconds", "Capture run time (start to finish) in the last hour", 2),
            ("linkhome_capture_wait_seconds", "Time from request to finish in the last hour", 1),
        ):
            family = GaugeMetricFamily(name, helptext, labels=["quantile"])
            spans = sorted((row[3] - row[start]).total_seconds() for row in rows)
            for q in QUANTILES:
                family.add_metric([str(q)], _quantile(spans, q) if spans else 0.0)
            yield family

    def _broker(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("linkhome_broker_up", "1 if Redis answered this scrape")
        depth = GaugeMetricFamily("linkhome_queue_messages", "Messages waiting in each queue", labels=["queue"])
        try:
            lengths = queues.queue_lengths()
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        for queue, n in lengths.items():
            depth.add_metric([queue], n)
        yield depth
