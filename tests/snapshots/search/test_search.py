"""Search: CJK words anywhere in long pages, syntax, ranking, scoping, API and page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from snapshots.links import services
from snapshots.models import Link, SearchDocument
from snapshots.paging import Position
from snapshots.search.indexing import query_tokens
from snapshots.search.query import parse_query, search_links
from snapshots.search.ranked import RankedResults
from tests.factories import make_link

pytestmark = pytest.mark.django_db

FILLER = "国务院办公厅关于印发年度工作要点的通知。各省、自治区、直辖市人民政府，国务院各部委、各直属机构：" * 40


def _gbk_report() -> str:
    """A long report as a GBK page decodes to: the key word sits deep inside, after 300 KB."""
    raw = (FILLER * 60 + "第三部分：推进政务公开标准化规范化。表1 2023年 收入 12.5 亿元").encode("gbk")
    return raw.decode("gbk")


def _ids(owner, query: str) -> list[int]:
    return [link.pk for link in search_links(Link.objects.filter(owner=owner), query)]


def test_chinese_word_deep_inside_a_long_gbk_report(owner):
    report = make_link(owner, "https://www.gov.cn/report", text=_gbk_report(), title="年度报告")
    make_link(owner, "https://example.com/other", text=FILLER, title="通知")
    assert len(_gbk_report()) > 100_000
    assert _ids(owner, "政务公开") == [report.pk]
    assert _ids(owner, "政务公开 2023") == [report.pk]


def test_two_character_query_and_scattered_pairs_do_not_match(owner):
    hit = make_link(owner, "https://example.com/a", text="这是一份政务公开的报告")
    scattered = make_link(owner, "https://example.com/b", text="政务工作，务公平，公开透明")
    assert _ids(owner, "报告") == [hit.pk]
    assert set(_ids(owner, "政务")) == {hit.pk, scattered.pk}
    assert _ids(owner, "政务公开") == [hit.pk]


def test_single_character_and_run_end(owner):
    link = make_link(owner, "https://example.com/a", text="人民日报")
    assert _ids(owner, "报") == [link.pk]
    assert _ids(owner, "日") == [link.pk]


def test_mixed_chinese_english_and_full_width(owner):
    link = make_link(owner, "https://example.com/a", text="The GDP增长 was 5% in ２０２３ — Annual Report")
    make_link(owner, "https://example.com/b", text="GDP only")
    assert _ids(owner, "gdp增长") == [link.pk]
    assert _ids(owner, "增长 annual") == [link.pk]
    assert _ids(owner, "2023") == [link.pk]
    assert _ids(owner, "ＧＤＰ") == _ids(owner, "gdp") and len(_ids(owner, "gdp")) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("report", {"a", "b"}),
        ('"annual report"', {"a"}),
        ("“annual report”", {"a"}),
        ("report -budget", {"a"}),
        ('report -"annual report"', {"b"}),
        ("#政府", {"a", "c"}),
        ("#政府 -#旧", {"a"}),
        ("site:example.com", {"a", "b"}),
        ("site:gov.cn", {"c"}),
        ("-site:gov.cn report", {"a", "b"}),
        ("repo", set()),
        ("   ", {"a", "b", "c"}),
    ],
)
def test_syntax(owner, query, expected):
    links = {
        "a": make_link(owner, "https://example.com/a", text="The annual report of 2023.", tags=["政府"]),
        "b": make_link(owner, "https://www.example.com/b", text="Budget report, not annual."),
        "c": make_link(owner, "https://www.gov.cn/c", text="国务院", tags=["政府", "旧"]),
    }
    names = {link.pk: name for name, link in links.items()}
    assert {names[pk] for pk in _ids(owner, query)} == expected


def test_title_and_tag_matches_rank_above_body_matches(owner):
    now = timezone.now()
    body = make_link(owner, "https://example.com/body", text="关于政务公开的说明", created=now)
    old = now - timedelta(days=9)
    title = make_link(owner, "https://example.com/title", text="无关", title="政务公开指南", created=old)
    tag = make_link(owner, "https://example.com/tag", text="无关", tags=["政务公开"], created=now - timedelta(days=5))
    assert _ids(owner, "政务公开") == [tag.pk, title.pk, body.pk]


def test_index_follows_edits_and_tag_renames(owner):
    link = make_link(owner, "https://example.com/a", text="正文", title="旧标题", tags=["甲"])
    assert _ids(owner, "新标题") == []
    services.link_update(link=link, data={"title": "新标题", "notes": "私人笔记 keyword"})
    assert _ids(owner, "新标题") == [link.pk]
    assert _ids(owner, "keyword") == [link.pk]
    assert _ids(owner, "正文") == [link.pk]
    services.tag_rename(owner=owner, old="甲", new="乙丙")
    assert _ids(owner, "乙丙") == [link.pk]
    assert _ids(owner, "#乙丙") == [link.pk]


def test_search_is_scoped(owner, other):
    make_link(other, "https://example.com/a", text="政务公开")
    assert _ids(owner, "政务公开") == []


def test_parse_query():
    parsed = parse_query('"exact phrase" -#tag site:EXAMPLE.com -word 政务 #标签')
    assert [t.text for t in parsed.include] == ["exact phrase", "政务"]
    assert [t.text for t in parsed.exclude] == ["word"]
    assert parsed.not_tags == ["tag"] and parsed.tags == ["标签"]
    assert parsed.sites == ["example.com"]


def test_api_search_is_ranked(owner, owner_api):
    make_link(owner, "https://example.com/body", text="报告正文")
    title = make_link(owner, "https://example.com/title", text="", title="年度报告")
    response = owner_api.get("/api/links/", {"q": "报告"})
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids[0] == title.pk and len(ids) == 2


def test_reindex_command_indexes_links_saved_before_the_index(owner):
    link = make_link(owner, "https://example.com/a", text="历史数据")
    SearchDocument.objects.all().delete()
    assert _ids(owner, "历史") == []
    call_command("search_reindex", username=owner.username, stdout=io.StringIO())
    assert _ids(owner, "历史") == [link.pk]


@pytest.mark.parametrize("window", [3, 1000])
def test_title_class_pages_are_the_same_whether_the_newest_links_hold_them_or_not(owner, monkeypatch, window):
    """The newest-links shortcut must give exactly what the index query gives, page by page."""

    monkeypatch.setattr(RankedResults, "WINDOW", window)
    now = timezone.now()
    expected_titles, expected_others = [], []
    for i in range(12):
        in_title = i % 3 != 1
        link = make_link(
            owner,
            f"https://example.com/{i}",
            text="正文提到可支配收入" if not in_title else "正文",
            title=f"居民可支配收入 {i}" if in_title else f"通知 {i}",
            created=now - timedelta(hours=i),
        )
        (expected_titles if in_title else expected_others).append(link.pk)
    make_link(owner, "https://example.com/none", text="无关内容", title="无关", created=now)
    results = search_links(Link.objects.filter(owner=owner), "可支配")
    expected = expected_titles + expected_others
    assert [link.pk for link in results[0:12]] == expected
    assert [link.pk for link in results[0:1]] == expected[:1]  # with window 3: answered by the window
    pages = [link.pk for start in range(0, 12, 5) for link in results[start : start + 5]]
    assert pages == expected
    assert [link.search_class for link in results[0:12]] == [0] * 8 + [1] * 4


@pytest.mark.parametrize("window", [(3, 0), (2, 1), (1000, 4)])
def test_both_classes_page_the_same_whether_the_newest_links_hold_them_or_not(owner, monkeypatch, window):
    """Each class is read from a walk of the newest links when they hold the slice asked for,
    otherwise from the index: both must give the same pages, counts and cursor pages."""
    monkeypatch.setattr(RankedResults, "WINDOW", window[0])
    monkeypatch.setattr(RankedResults, "WINDOW_PER_RESULT", window[1])
    now = timezone.now()
    titles, others = [], []
    for i in range(15):
        kind = ("title", "text", "none")[i % 3]
        link = make_link(
            owner,
            f"https://example.com/w/{i}",
            title="年度预算 蜻蜓" if kind == "title" else f"通知 {i}",
            text="正文提到预算" if kind == "text" else "正文",
            created=now - timedelta(hours=i),
        )
        (titles if kind == "title" else others if kind == "text" else []).append(link.pk)
    # Old bookmarks whose titles hold a word no page text has.
    long_ago = now - timedelta(days=900)
    bookmarks = [
        make_link(
            owner, f"https://bookmarks.example/{i}", title=f"蜻蜓 书签 {i}", created=long_ago - timedelta(days=i)
        ).pk
        for i in range(6)
    ]
    results = search_links(Link.objects.filter(owner=owner), "预算")
    assert [link.pk for start in range(0, 12, 4) for link in results[start : start + 4]] == titles + others
    assert [link.search_class for link in results[0:12]] == [0] * 5 + [1] * 5
    assert results.count() == 10 and list(results[10:14]) == []
    fourth = results[3]
    after = results.after(Position(0, fourth.created, fourth.pk, 4))
    assert [link.pk for link in after[0:4]] + [link.pk for link in after[4:12]] == (titles + others)[4:]
    only_titles = search_links(Link.objects.filter(owner=owner), "蜻蜓")
    assert [link.pk for link in only_titles[0:8]] + [link.pk for link in only_titles[8:12]] == titles + bookmarks
    assert list(only_titles[11:15]) == [] and only_titles.count() == 11  # the page after the last title


def test_cjk_terms_ask_the_index_for_pairs_that_cover_every_character():
    assert query_tokens("政务公开") == [("政务", False), ("公开", False)]
    assert query_tokens("可支配") == [("可支", False), ("支配", False)]
    assert query_tokens("年度工作要点") == [("年度", False), ("工作", False), ("要点", False)]
    assert query_tokens("报告 budget") == [("报告", False), ("budget", False), ("告_budget", False)]
    assert query_tokens("蜻") == [("蜻", True)]


def test_phrases_also_ask_for_their_joined_neighbours():
    assert query_tokens("国民经济 社会发展")[-1] == ("济_社", False)
    assert [t for t, _ in query_tokens("annual report 2023")][-2:] == ["annual_report", "report_2023"]


def test_phrase_of_common_words_matches_only_where_they_are_neighbours(owner):
    near = make_link(owner, "https://example.com/near", text="关于 国民经济 社会发展 的公报 annual report 2023")
    make_link(owner, "https://example.com/far", text="国民经济 统计 社会发展 report annual 2023")
    make_link(owner, "https://example.com/comma", text="国民经济，社会发展 annual, report")
    assert _ids(owner, '"国民经济 社会发展"') == [near.pk]
    assert _ids(owner, '"annual report 2023"') == [near.pk]
    assert _ids(owner, '"Annual Report"') == [near.pk]


def test_api_search_pages_without_counting_every_match(owner, owner_api):
    now = timezone.now()
    made = [
        make_link(owner, f"https://example.com/{i}", text="年度预算报告", created=now - timedelta(minutes=i)).pk
        for i in range(25)
    ]
    first = owner_api.get("/api/links/", {"q": "预算", "page_size": 10}).json()
    assert first["count"] is None and first["previous"] is None
    assert [link["id"] for link in first["results"]] == made[:10]
    second = owner_api.get(first["next"]).json()
    assert [link["id"] for link in second["results"]] == made[10:20] and second["count"] is None
    assert "page=" not in second["previous"]
    last = owner_api.get(second["next"]).json()
    assert [link["id"] for link in last["results"]] == made[20:] and last["count"] == 25 and last["next"] is None
    assert owner_api.get("/api/links/", {"q": "预算", "page_size": 10, "page": 9}).status_code == 404
    few = owner_api.get("/api/links/", {"q": "预算 -年度"}).json()
    assert few == {"count": 0, "next": None, "previous": None, "results": []}
