"""Caps on what one link and one user may hold: tags per link, tag names, tag merges, links saved
an hour. Each is refused with a message naming the field and the limit, in the reader's
language, and writes nothing; a link stored over a cap before the cap existed stays readable
and editable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from snapshots.links import services
from snapshots.models import (
    LINK_TAGS_MAX,
    NOTES_MAX_LENGTH,
    TAG_INPUT_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TAG_MERGE_SOURCES_MAX,
    TAGS_INPUT_MAX_LENGTH,
    Link,
    Snapshot,
    TaggedLink,
)
from snapshots.transfer import importing
from tests.factories import bookmark_file, bookmark_upload, make_link, make_links

pytestmark = pytest.mark.django_db

TOO_MANY = f"A link can have at most {LINK_TAGS_MAX} tags."
LONG = "长" * (TAG_MAX_LENGTH - 10)


def _names(count: int, prefix: str = "标签") -> list[str]:
    return [f"{prefix}{n}" for n in range(count)]


def test_twenty_thousand_tags_are_refused_at_once_and_nothing_is_written(owner_api, django_assert_max_num_queries):
    payload = {"url": "https://example.com/flood", "tags": _names(20_000)}
    tags_before = Tag.objects.count()
    # No query per tag: the list is refused at its 101st name, before anything is written.
    with django_assert_max_num_queries(8):
        response = owner_api.post(reverse("api_links"), payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"tags": [TOO_MANY]}
    assert not Link.objects.exists() and not Snapshot.objects.exists() and Tag.objects.count() == tags_before


def test_the_tag_cap_holds_in_the_form_and_the_api_in_both_languages(owner_client, owner_api, owner):
    assert owner_api.post(
        reverse("api_links"), {"url": "https://example.com/a", "tags": _names(LINK_TAGS_MAX)}, format="json"
    ).status_code == 201
    over = ", ".join(_names(LINK_TAGS_MAX + 1))
    response = owner_client.post(
        reverse("snapshots:link_add"), {"url": "https://example.com/b", "tags": over}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["tags"] == [f"每个链接最多可有 {LINK_TAGS_MAX} 个标签。"]
    response = owner_client.post(reverse("snapshots:link_add"), {"url": "https://example.com/b", "tags": over})
    assert response.context["form"].errors["tags"] == [TOO_MANY]
    assert list(Link.objects.filter(owner=owner).values_list("url", flat=True)) == ["https://example.com/a"]


def test_a_link_stored_over_the_tag_cap_stays_editable(owner_client, owner_api, owner):
    link = make_link(owner, "https://example.com/old", title="旧标题")
    # Long names: the tags sent back are longer than the tag field of the form accepts today.
    many = [Tag.objects.create(name=name, slug=f"s{n}") for n, name in enumerate(_names(LINK_TAGS_MAX + 50, LONG))]
    TaggedLink.objects.bulk_create(TaggedLink(content_object=link, tag=tag) for tag in many)
    edit = reverse("snapshots:link_edit", args=[link.pk])
    form = owner_client.get(edit).context["form"]
    assert len(form.initial["tags"]) > TAGS_INPUT_MAX_LENGTH
    # The edit form sends every tag back: a new title must not be refused because of them.
    data = {**form.initial, "title": "新标题", "unread": ""}
    assert owner_client.post(edit, data).status_code == 302
    link.refresh_from_db()
    assert link.title == "新标题" and link.tags.count() == LINK_TAGS_MAX + 50
    # Dropping some is fine; adding one while over the cap is not, and changes nothing.
    fewer = ", ".join(_names(LINK_TAGS_MAX + 10, LONG))
    assert owner_client.post(edit, {**data, "tags": fewer}).status_code == 302
    assert link.tags.count() == LINK_TAGS_MAX + 10
    response = owner_client.post(edit, {**data, "title": "再改", "tags": fewer + ", 新的"})
    assert response.context["form"].errors["tags"] == [TOO_MANY]
    link.refresh_from_db()
    assert link.title == "新标题" and link.tags.count() == LINK_TAGS_MAX + 10
    api = reverse("api_link", args=[link.pk])
    assert owner_api.patch(api, {"unread": True}, format="json").status_code == 200
    same = owner_api.patch(api, {"tags": _names(LINK_TAGS_MAX + 10, LONG), "title": "API"}, format="json")
    assert same.status_code == 200 and len(same.json()["tags"]) == LINK_TAGS_MAX + 10


def test_text_stored_over_todays_limits_is_kept_when_other_fields_change(owner_client, owner):
    link = make_link(owner, "https://example.com/long")
    long_notes = "记" * (NOTES_MAX_LENGTH + 10)
    Link.objects.filter(pk=link.pk).update(notes=long_notes)
    edit = reverse("snapshots:link_edit", args=[link.pk])
    data = {**owner_client.get(edit).context["form"].initial, "title": "改了标题", "unread": ""}
    assert owner_client.post(edit, data).status_code == 302
    link.refresh_from_db()
    assert (link.title, link.notes) == ("改了标题", long_notes)
    response = owner_client.post(edit, {**data, "notes": long_notes + "再加"})
    assert response.context["form"].errors["notes"] == [f"Notes can be at most {NOTES_MAX_LENGTH} characters."]


def test_links_saved_by_hand_are_limited_per_hour_and_imports_do_not_count(owner_client, owner_api, owner, settings):
    settings.LINK_RATE_PER_HOUR = 2
    job = importing.import_job_create(owner=owner, upload=bookmark_upload(bookmark_file(5)))
    importing.import_job_run(job.pk)
    def save(n: int):
        return owner_api.post(reverse("api_links"), {"url": f"https://example.com/h{n}"}, format="json")

    assert [save(0).status_code, save(1).status_code] == [201, 201]
    refused = save(2)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("You have saved 2 links in the last hour")
    page = owner_client.post(
        reverse("snapshots:link_add"), {"url": "https://example.com/h3"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "您在过去一小时内已保存 2 个链接" in page.context["form"].non_field_errors()[0]
    assert Link.objects.filter(owner=owner).count() == 5 + 2


def test_tag_merges_and_renames_refuse_oversized_input_and_change_nothing(owner_client, owner):
    make_links(owner, 1, tags=("政府", "报告"))
    too_many = ", ".join(_names(TAG_MERGE_SOURCES_MAX + 1))
    response = owner_client.post(
        reverse("snapshots:tag_merge"), {"sources": too_many, "target": "合并"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [f"Merge at most {TAG_MERGE_SOURCES_MAX} tags at a time."]
    response = owner_client.post(
        reverse("snapshots:tag_rename"), {"old": "长" * (TAG_INPUT_MAX_LENGTH + 1), "new": "新"}, follow=True
    )
    [message] = response.context["messages"]
    assert message.level_tag == "error" and str(TAG_INPUT_MAX_LENGTH) in str(message)
    assert sorted(owner.links.get().tags.names()) == ["报告", "政府"]


def test_a_tag_rename_moves_links_in_transactions_of_their_own(owner, monkeypatch):
    monkeypatch.setattr(services, "TAG_RENAME_BATCH", 2)
    make_links(owner, 5, tags=("旧",))
    with CaptureQueriesContext(connection) as queries:
        assert services.tag_merge(owner=owner, sources=["旧"], target="新") == 5
    # Each top-level atomic block (a transaction outside tests) that moves tagged rows.
    depth, moving, blocks = 0, False, 0
    for sql in (query["sql"] for query in queries):
        if sql.startswith("SAVEPOINT"):
            depth += 1
            moving = moving if depth > 1 else False
        elif sql.startswith(("RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            depth -= 1
            blocks += depth == 0 and moving
        elif sql.startswith("UPDATE") and "taggedlink" in sql and depth:
            moving = True
    assert blocks == 3
    assert sorted({name for link in owner.links.all() for name in link.tags.names()}) == ["新"]


def test_a_burst_of_saves_is_refused_with_retry_after_and_the_page_says_why(owner_client, owner_api, owner, settings):
    settings.LINK_RATE_PER_MINUTE = 3

    def save(n: int):
        return owner_api.post(reverse("api_links"), {"url": f"https://example.com/m{n}"}, format="json")

    assert [save(n).status_code for n in range(3)] == [201, 201, 201]
    refused = save(3)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("You have saved 3 links in the last minute")
    assert 1 <= int(refused["Retry-After"]) <= 60
    page = owner_client.post(
        reverse("snapshots:link_add"), {"url": "https://example.com/m4"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "您在过去一分钟内已保存 3 个链接" in page.context["form"].non_field_errors()[0]
    # Saves older than a minute no longer count against it.
    Snapshot.objects.filter(owner=owner).update(created=timezone.now() - timedelta(seconds=61))
    assert save(5).status_code == 201
    assert Link.objects.filter(owner=owner).count() == 4
