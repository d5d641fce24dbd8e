"""/metrics: Prometheus figures from the database and Redis, for the holder of METRICS_TOKEN only."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from snapshots import queues
from snapshots.archive import dispatch
from snapshots.models import Snapshot
from tests.factories import make_link, make_snapshot
from tests.snapshots.storage.test_blobs import capture

pytestmark = pytest.mark.django_db

TOKEN = "metrics-secret-0123456789"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN
    redis.Redis.from_url(django_settings.REDIS_URL).flushdb()

    def get() -> dict[tuple[str, tuple], float]:
        response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
        assert response["Cache-Control"].startswith("max-age=0")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return get


def _captures(owner, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        make_snapshot(
            make_link(owner),
            status=Snapshot.Status.SUCCEEDED,
            started=now - timedelta(seconds=10 + i),
            finished=now - timedelta(seconds=i),
            sizes={"html": 1000, "screenshot": 500},
        )


def test_only_the_token_holder_reads_and_nothing_answers_without_a_token(client, settings):
    url = reverse("metrics")
    assert client.get(url).status_code == 404  # no METRICS_TOKEN: no endpoint
    settings.METRICS_TOKEN = TOKEN
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_figures_match_the_database_and_the_broker(owner, scrape):
    _captures(owner, 3)
    make_snapshot(make_link(owner), status=Snapshot.Status.FAILED, error_code="page_unresponsive")
    make_snapshot(make_link(owner), status=Snapshot.Status.WAITING)
    queued = make_snapshot(make_link(owner), status=Snapshot.Status.QUEUED)
    assert dispatch.enqueue(queued.pk)
    cache.clear()

    figures = scrape()

    status = {s: figures[("linkhome_snapshots", (("status", s),))] for s in Snapshot.Status.values}
    assert status == {"succeeded": 3, "failed": 1, "waiting": 1, "queued": 1, "running": 0}
    assert figures[("linkhome_snapshot_failures", (("reason", "page_unresponsive"),))] == 1
    assert figures[("linkhome_captures_last_hour", (("status", "succeeded"),))] == 3
    assert figures[("linkhome_capture_seconds", (("quantile", "0.5"),))] == 10
    assert figures[("linkhome_queue_messages", (("queue", queues.CAPTURE_QUEUE),))] == 1
    assert figures[("linkhome_queue_messages", (("queue", queues.BULK_QUEUE),))] == 0
    assert figures[("linkhome_broker_up", ())] == 1
    assert figures[("linkhome_storage_bytes", ())] == 3 * 1500
    assert figures[("linkhome_objects", (("kind", "links"),))] == 6


def test_a_scrape_costs_the_same_queries_however_many_captures(owner, scrape, django_assert_num_queries):
    _captures(owner, 2)
    scrape()  # the storage total is cached now
    # snapshots by status; failures by reason; the last hour's captures; users; links; imports
    # by status; the cached storage total
    with django_assert_num_queries(7):
        scrape()
    _captures(owner, 20)
    with django_assert_num_queries(7):
        scrape()


def test_a_broker_that_does_not_answer_is_reported_not_fatal(owner, scrape, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    figures = scrape()
    assert figures[("linkhome_broker_up", ())] == 0
    assert not any(name == "linkhome_queue_messages" for name, _labels in figures)


def test_storage_counts_a_file_shared_by_several_captures_once(owner, other, scrape, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    first = capture(make_link(owner))
    capture(make_link(other))  # the same page saved by someone else
    cache.clear()
    assert scrape()[("linkhome_storage_bytes", ())] == first.stored_bytes
