"""While an import runs, the list page keeps its tag bar and link total cached: a committed batch
never makes the next list view recount them. The import refreshes them itself now and then, and
once it ends they are exact."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from snapshots.search.changes import BulkWrite
from snapshots.transfer import importing
from tests.factories import make_link
from tests.snapshots.web.test_queries import LIST_COLD, LIST_WARM

# Every batch commits for real, as in a worker, so what follows a commit runs when it would.
pytestmark = pytest.mark.django_db(transaction=True)

BATCH = 40


def _upload(count: int) -> SimpleUploadedFile:
    rows = "\n".join(f'<DT><A HREF="https://example.com/import/{i}">第{i}条</A>' for i in range(count))
    page = f"<DL><p><DT><H3>导入</H3><DL><p>\n{rows}\n</DL><p></DL>"
    return SimpleUploadedFile("bookmarks.html", page.encode(), content_type="text/html")


@pytest.fixture
def list_between_batches(monkeypatch, owner_client, django_assert_num_queries):
    """Import in batches of BATCH; after each committed batch but the last, view the list page
    (counting its queries) and record the link total and tag bar it shows."""
    monkeypatch.setattr(importing, "batch_size", lambda: BATCH)
    monkeypatch.setattr(importing, "SQLITE_YIELD_MAX", 0)  # the list is viewed between batches anyway
    reader = importing.read_bookmarks
    seen: list[tuple[int, dict[str, int]]] = []

    def reading(stream):
        # The import asks for the first bookmark of a batch only once the batch before has committed.
        for index, bookmark in enumerate(reader(stream)):
            if index and index % BATCH == 0:
                with django_assert_num_queries(LIST_WARM):
                    page = owner_client.get(reverse("snapshots:link_list"))
                seen.append((page.context["page"].paginator.count, _bar(page)))
            yield bookmark

    monkeypatch.setattr(importing, "read_bookmarks", reading)
    return seen


def _bar(page) -> dict[str, int]:
    return {str(tag["name"]): int(tag["count"]) for tag in page.context["tags"]}


def _import(owner, count: int) -> None:
    job = importing.import_job_create(owner=owner, upload=_upload(count))
    assert importing.import_job_run(job.pk).created_links == count


def test_batches_leave_the_list_facts_cached_and_the_end_makes_them_exact(
    owner, owner_client, list_between_batches, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(BulkWrite, "REFRESH_SECONDS", 3600)  # no refresh during this import
    for i in range(3):
        make_link(owner, f"https://example.com/mine/{i}", tags=["旧"])
    url = reverse("snapshots:link_list")
    with django_assert_num_queries(LIST_COLD[connection.vendor]):
        owner_client.get(url)
    _import(owner, 4 * BATCH)
    # Three list views between the four batches: each read the facts from the cache, as they
    # were before the import (the import refreshes them only every REFRESH_SECONDS).
    assert list_between_batches == [(3, {"旧": 3})] * 3
    with django_assert_num_queries(LIST_COLD[connection.vendor]):  # the end forgot them, once
        page = owner_client.get(url)
    assert page.context["page"].paginator.count == 3 + 4 * BATCH
    assert _bar(page) == {"旧": 3, "导入": 4 * BATCH}
    with django_assert_num_queries(LIST_WARM):
        owner_client.get(url)


def test_the_import_refreshes_the_list_facts_itself_when_due(
    owner, owner_client, list_between_batches, monkeypatch
):
    monkeypatch.setattr(BulkWrite, "REFRESH_SECONDS", 0)  # due after every batch
    owner_client.get(reverse("snapshots:link_list"))  # nothing yet, and that is cached
    _import(owner, 4 * BATCH)
    # The import recomputed the facts after each batch, so the list shows every committed
    # link and still reads them from the cache.
    assert list_between_batches == [(n * BATCH, {"导入": n * BATCH}) for n in (1, 2, 3)]
    page = owner_client.get(reverse("snapshots:link_list"))
    assert page.context["page"].paginator.count == 4 * BATCH and _bar(page) == {"导入": 4 * BATCH}
