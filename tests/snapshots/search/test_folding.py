"""Traditional and Simplified Chinese find each other: 報告 for 报告 and the reverse, in titles,
tags, notes, page text and share search; excerpts show and mark the characters as written."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from snapshots.models import Link, SearchDocument
from snapshots.search import folding, indexing
from snapshots.search.excerpts import excerpts_for, highlight
from snapshots.search.query import search_links
from tests.factories import make_link, make_share
from tests.snapshots.web.test_search_page import FIRST_PAGE

pytestmark = pytest.mark.django_db

TRADITIONAL, SIMPLIFIED = "報告", "报告"
# Traditional text before the match: every folded character before it must keep its place,
# or the excerpt window would miss the match.
TRADITIONAL_FILLER = "國務院辦公廳關於印發年度工作要點的通知。各級機關應當認真貫徹執行，" * 40


def _ids(owner, query: str) -> list[int]:
    return [link.pk for link in search_links(Link.objects.filter(owner=owner), query)]


def test_folding_is_one_character_for_one_and_idempotent():
    assert folding.fold("年度報告與發展 Annual") == "年度报告与发展 Annual"
    table = folding._table()
    assert len(table) > 2000 and all(len(out) == 1 for out in table.values())
    every = "".join(table)
    assert len(folding.fold(every)) == len(every)
    assert folding.fold(folding.fold(every)) == folding.fold(every)
    assert set(folding.variants("报")) >= {"报", "報"} and folding.variants("a") == "a"


@pytest.mark.parametrize("written, query", [(TRADITIONAL, SIMPLIFIED), (SIMPLIFIED, TRADITIONAL)])
@pytest.mark.parametrize("where", ["title", "tags", "notes", "text"])
def test_found_in_either_script_in_titles_tags_notes_and_page_text(owner, written, query, where):
    fields = {
        "title": {"title": f"年度{written}"},
        "tags": {"tags": [f"{written}合集"]},
        "notes": {"notes": f"記得看這份{written}"},
        "text": {"text": TRADITIONAL_FILLER + f"第三部分：{written}全文"},
    }[where]
    link = make_link(owner, "https://example.com/found", **fields)
    make_link(owner, "https://example.com/other", title="通知", text="報道 告示 报道 告知")
    assert _ids(owner, query) == [link.pk]
    assert _ids(owner, f'"{query}"') == [link.pk]
    assert _ids(owner, f"-{query}") != [link.pk]
    if where in ("title", "tags"):
        ranked = search_links(Link.objects.filter(owner=owner), query)
        assert ranked[0].search_class == 0  # a title/tag match in the other script ranks as one


def test_excerpt_shows_and_marks_the_characters_as_written(owner):
    page = make_link(owner, "https://example.com/trad", text=TRADITIONAL_FILLER + "這份年度報告指出：收入增長。")
    mixed = make_link(owner, "https://example.com/mixed", text="简体的报告与繁體的報告")
    notes = make_link(owner, "https://example.com/notes", notes="會議紀要 報告待審")
    excerpts = excerpts_for([page.pk, mixed.pk, notes.pk], SIMPLIFIED)
    assert "這份年度<mark>報告</mark>指出" in excerpts[page.pk]
    assert excerpts[page.pk].startswith("…")
    assert excerpts[mixed.pk] == "简体的<mark>报告</mark>与繁體的<mark>報告</mark>…"
    assert "會議紀要 <mark>報告</mark>待審" in excerpts[notes.pk]
    # A needle with letter case takes the upper-cased path through the folded text.
    cased = make_link(owner, "https://example.com/cased", text=TRADITIONAL_FILLER + "the Annual 報告 says")
    assert "the <mark>Annual 報告</mark> says" in excerpts_for([cased.pk], '"annual 报告"')[cased.pk]


def test_highlight_escapes_and_marks_by_folded_position():
    assert highlight("<b>報告</b>報告", ["报告"]) == "&lt;b&gt;<mark>報告</mark>&lt;/b&gt;<mark>報告</mark>"


def test_search_page_marks_the_original_with_constant_queries(owner_client, owner, django_assert_num_queries):
    for i in range(3):
        make_link(owner, f"https://example.com/{i}", text=f"開頭 這裡講政務公開第{i}條")
    with django_assert_num_queries(FIRST_PAGE):
        response = owner_client.get(reverse("snapshots:search"), {"q": "这里讲政务公开"})
    html = response.content.decode()
    assert len(response.context["results"]) == 3
    assert html.count("<mark>這裡講政務公開</mark>") == 3


def test_share_search_finds_either_script_in_what_visitors_see(client, owner):
    title = make_link(owner, "https://example.com/t", title="年度報告", text="正文", tags=["公開"])
    body = make_link(owner, "https://example.com/b", title="統計", text="全年财政报告执行情况", tags=["公開"])
    notes = make_link(owner, "https://example.com/n", title="紀要", text="正文", notes="報告", tags=["公開"])
    share = make_share(owner, tag="公開", title="合集")

    def found(query: str) -> list[int]:
        response = client.get(reverse("snapshots:share_page", args=[share.token]), {"q": query})
        return [row["link"].pk for row in response.context["rows"]]

    assert found(SIMPLIFIED) == [title.pk, body.pk]
    assert found(TRADITIONAL) == [title.pk, body.pk]
    assert found("財政報告") == [body.pk]
    assert notes.pk not in found("報告") + found("报告")  # notes stay private in either script


def _unfold(link: Link, text: str, monkeypatch) -> None:
    """The document as written before folding existed: text as written, tokens unfolded."""
    with monkeypatch.context() as unfolded:
        unfolded.setattr(indexing, "fold", lambda text: text)
        vector = indexing.body_vector_literal(text) if connection.vendor == "postgresql" else None
    SearchDocument.objects.filter(pk=link.pk).update(body=text, body_original=None, body_vector=vector)


def test_reindex_folds_documents_written_before_folding(owner, monkeypatch):
    text = "這份年度報告"
    link = make_link(owner, "https://example.com/old", title="旧文", text=text)
    _unfold(link, text, monkeypatch)
    assert _ids(owner, SIMPLIFIED) == []
    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    assert _ids(owner, SIMPLIFIED) == [link.pk]
    document = SearchDocument.objects.get(pk=link.pk)
    assert (document.body, document.body_original) == ("这份年度报告", text)


def test_upgrade_reindexes_a_small_site_and_asks_a_large_one_to(owner, monkeypatch, capsys):
    migration = importlib.import_module("snapshots.migrations.0012_search_folding")
    text = "這份年度報告"
    link = make_link(owner, "https://example.com/old", title="旧文", text=text)
    _unfold(link, text, monkeypatch)
    monkeypatch.setattr(migration, "REBUILD_IN_MIGRATION_MAX", 0)
    migration.rebuild_small_index(apps, connection.schema_editor())
    assert "search_reindex" in capsys.readouterr().out
    assert _ids(owner, SIMPLIFIED) == []
    monkeypatch.setattr(migration, "REBUILD_IN_MIGRATION_MAX", 1)
    migration.rebuild_small_index(apps, connection.schema_editor())
    assert _ids(owner, SIMPLIFIED) == [link.pk]
