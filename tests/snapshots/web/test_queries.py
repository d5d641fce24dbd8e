"""A page of links (as rows or cards), tags, shares, a bulk question or an import costs an exact
number of SQL queries, whatever the number of rows behind it. Each count lists its queries;
PostgreSQL and SQLite run the same ones."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from snapshots.search import listcache
from tests.factories import make_import_job, make_link, make_links, make_share, make_snapshot

pytestmark = pytest.mark.django_db

# The link list with the tag bar and link total in the cache (every view but the first):
#  1. the session
#  2. the signed-in user
#  3. the tag bar and the link total, read from the database cache together
#  4. the page of links, newest first
#  5. each listed link's newest version and newest succeeded version, in one windowed query
#  6. the tags of the listed links
LIST_WARM = 6
# A tag of the tag bar (?tag=), warm: its page is found like a search class's, first among the
# owner's newest links (the planner walked every newer link for a folder of old bookmarks):
#  1.-3. as LIST_WARM
#  4. the edge of the window of the owner's newest links (none here: it holds them all)
#  5. the ids of the page's links among them, joined to the tag's taggings by the tag id
#     the cached tag bar holds
#  6. the page's links, by id
#  7.-8. their versions and their tags, as 5.-6. of LIST_WARM
TAG_WARM = 8
# The same list with the cache cold (the first view after a write forgot it):
#  1. the session
#  2. the signed-in user
#  3. the tag bar and the link total, read from the database cache together: both missing
#  4. the owner's 50 most used tags with their counts
#  5. the owner's link total
#  6.-10. the tag bar written to the database cache: count the cache rows (cull check),
#        savepoint, look up the key, insert it, release the savepoint
#  11.-15. the total written to the database cache, the same five queries
#  16.-18. the page of links, their versions and their tags, as 4.-6. of a warm view
# SQLite adds three around the writes: read the busy timeout, set it to 0 (a page never waits
# for an import's write lock to cache the facts), and set it back.
LIST_COLD = {"postgresql": 18, "sqlite": 21}
# The tag page:
#  1. the session
#  2. the signed-in user
#  3. the owner's tags with the number of links of each
TAG_LIST = 3
# The owner's share page:
#  1. the session
#  2. the signed-in user
#  3. the owner's shares, newest first
#  4. the owner's tag names (up to 200), offered in the form for a new share
SHARE_LIST = 4


def test_html_list_page_queries_do_not_grow_with_links(owner_client, owner, other, django_assert_num_queries):
    """Counted with the tag bar's cache cold (first view) and warm (every view after)."""
    url = reverse("snapshots:link_list")
    make_links(other, 30)
    make_links(owner, 20)
    with django_assert_num_queries(LIST_COLD[connection.vendor]):
        assert owner_client.get(url).status_code == 200
    with django_assert_num_queries(LIST_WARM):
        response = owner_client.get(url)
    assert len(response.context["page"].object_list) == 20
    make_links(owner, 180, tags=("预算", "统计", "政府"), start=20)
    listcache.forget(owner.pk)  # make_links goes around the services, which forget it themselves
    with django_assert_num_queries(LIST_COLD[connection.vendor]):
        assert owner_client.get(url).status_code == 200
    with django_assert_num_queries(LIST_WARM):
        response = owner_client.get(url)
    assert response.context["page"].paginator.count == 200
    assert {t["name"] for t in response.context["tags"]} >= {"预算", "统计", "政府"}
    with django_assert_num_queries(TAG_WARM):
        response = owner_client.get(url, {"tag": "政府"})
    assert response.context["page"].paginator.count == 200  # taken from the cached tag bar
    assert len(response.context["page"].object_list) == 20
    # The card grid with previews reads the same rows: no query per card.
    with django_assert_num_queries(LIST_WARM):
        response = owner_client.get(url, {"view": "grid"})
    assert response.context["view"] == "grid" and len(response.context["rows"]) == 20


def test_tag_list_queries_do_not_grow_with_tags(owner_client, owner, django_assert_num_queries):
    make_links(owner, 5, tags=("甲", "乙"))
    with django_assert_num_queries(TAG_LIST):
        assert owner_client.get(reverse("snapshots:tag_list")).status_code == 200
    make_links(owner, 5, tags=tuple(f"标签{i}" for i in range(10)), start=5)
    with django_assert_num_queries(TAG_LIST):
        response = owner_client.get(reverse("snapshots:tag_list"))
    assert len(response.context["tags"]) == 12


def test_share_list_queries_do_not_grow_with_shares(owner_client, owner, django_assert_num_queries):
    for i in range(8):
        make_link(owner, f"https://example.com/shared/{i}", tags=[f"合集{i}"])
    make_share(owner, tag="合集0", title="第一个合集")
    with django_assert_num_queries(SHARE_LIST):
        assert owner_client.get(reverse("snapshots:share_list")).status_code == 200
    for i in range(1, 8):
        make_share(owner, tag=f"合集{i}", title=f"合集 {i}")
    with django_assert_num_queries(SHARE_LIST):
        response = owner_client.get(reverse("snapshots:share_list"))
    assert len(response.context["shares"]) == 8 and len(response.context["tags"]) == 8


# The link page:
#  1. the session
#  2. the signed-in user
#  3. the link, the owner's own
#  4. its versions, newest first (the preview is built from the one shown, with no query)
#  5. its tags
LINK_PAGE = 5
# The snapshot page: 1.-2. as above, 3. the snapshot with its link, checked against the viewer
SNAPSHOT_PAGE = 3
# The versions page: 1.-3. as the link page, 4. its versions (the succeeded ones compared), 5. the two texts compared
VERSIONS_PAGE = 5


def test_preview_pages_queries_do_not_grow_with_versions(owner_client, owner, django_assert_num_queries):
    link = make_link(owner, tags=("报告",), title="公报")
    artifacts = {"screenshot": "s.png", "html": "p.html", "pdf": "p.pdf", "text": "p.txt", "reader": "r.html"}
    for count in (2, 12):
        while link.snapshots.count() < count:
            newest = make_snapshot(link, artifacts=artifacts, text=f"第{link.snapshots.count()}版")
        with django_assert_num_queries(LINK_PAGE):
            assert owner_client.get(reverse("snapshots:link_detail", args=[link.pk])).context["preview"]
        with django_assert_num_queries(SNAPSHOT_PAGE):
            assert owner_client.get(reverse("snapshots:snapshot_detail", args=[newest.pk])).context["preview"]
        with django_assert_num_queries(VERSIONS_PAGE):
            assert owner_client.get(reverse("snapshots:version_compare", args=[link.pk])).context["preview"]


def test_list_titles_opening_the_saved_copy_cost_no_query(owner_client, owner, django_assert_num_queries):
    owner.list_titles_open_copy = True
    owner.save(update_fields=["list_titles_open_copy"])
    make_links(owner, 20)
    url = reverse("snapshots:link_list")
    owner_client.get(url)  # fills the list cache
    with django_assert_num_queries(LIST_WARM):
        response = owner_client.get(url)
    assert all(row.detail_url.startswith("/") and "/snapshots/" in row.detail_url for row in response.context["rows"])


# The bulk delete question:
#  1. the session
#  2. the signed-in user
#  3. which of the chosen ids are the owner's links
BULK_DELETE_QUESTION = 3


def test_the_bulk_delete_question_costs_the_same_for_one_link_or_many(owner_client, owner, django_assert_num_queries):
    links = make_links(owner, 40)
    for chosen in (links[:1], links):
        data = {"action": "delete", "ids": [link.pk for link in chosen], "next": "/"}
        with django_assert_num_queries(BULK_DELETE_QUESTION):
            response = owner_client.post(reverse("snapshots:link_bulk"), data)
        assert response.status_code == 200 and response.context["count"] == len(chosen)


# The import page (and its progress fragment, which it polls):
#  1. the session
#  2. the signed-in user
#  3. the job, the owner's own, with its skipped entries (worded from their codes, no query)
IMPORT_PAGE = 3
# The import form: 1.-2. as above, 3. the owner's recent jobs
IMPORT_START = 3


def test_import_pages_cost_the_same_whatever_the_job_skipped(owner_client, owner, django_assert_num_queries):
    for skipped in (1, 60):
        job = make_import_job(owner, skipped=skipped)
        for name in ("snapshots:import_detail", "snapshots:import_progress"):
            with django_assert_num_queries(IMPORT_PAGE):
                response = owner_client.get(reverse(name, args=[job.pk]))
            assert response.content.decode().count("<tr><td>") == skipped
        with django_assert_num_queries(IMPORT_START):
            assert owner_client.get(reverse("snapshots:import_start")).status_code == 200
