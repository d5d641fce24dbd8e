"""Searching inside a public share: only that share's links, only what visitors can see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_link, make_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(owner, other):
    now = timezone.now()
    made = {
        "body": make_link(
            owner, "https://stats.example.cn/a", text="全年财政预算执行情况良好", title="统计公报",
            tags=["报告"], created=now,
        ),
        "title": make_link(
            owner, "https://gov.example.cn/b", text="正文", title="2025年预算报告", tags=["报告"],
            created=now - timedelta(hours=1),
        ),
        "notes": make_link(
            owner, "https://gov.example.cn/c", text="正文", title="会议纪要", tags=["报告", "机密项目"],
            notes="预算 内部讨论 secretword", created=now - timedelta(hours=2),
        ),
        "untagged": make_link(owner, "https://example.com/d", text="预算", title="预算草案", tags=["其他"]),
        "theirs": make_link(other, "https://example.com/e", text="预算", title="别人的预算", tags=["报告"]),
    }
    share = make_share(owner, title="报告合集")
    return share, made


def _found(client, share, query: str) -> list[int]:
    response = client.get(reverse("snapshots:share_page", args=[share.token]), {"q": query})
    assert response.status_code == 200
    return [row["link"].pk for row in response.context["rows"]]


def test_visitor_finds_title_matches_first_then_page_text(client, collection):
    share, made = collection
    assert _found(client, share, "预算") == [made["title"].pk, made["body"].pk]
    assert _found(client, share, '"财政预算"') == [made["body"].pk]
    assert _found(client, share, "预算 -公报") == [made["title"].pk]
    assert _found(client, share, "site:stats.example.cn") == [made["body"].pk]


def test_notes_and_other_tags_are_never_searched(client, collection):
    share, made = collection
    assert _found(client, share, "secretword") == []
    assert _found(client, share, "内部讨论") == []
    assert _found(client, share, "机密项目") == []
    assert len(_found(client, share, "#机密项目")) == 3  # tag syntax is ignored, so it reveals nothing
    body = client.get(reverse("snapshots:share_page", args=[share.token]), {"q": "secretword"}).content.decode()
    assert "Nothing matches." in body or "没有匹配" in body


def test_share_search_pages_in_a_few_queries(client, owner, collection, django_assert_num_queries):
    share, _made = collection
    for i in range(30):
        make_link(owner, f"https://example.com/more/{i}", text="预算", title=f"第{i}号", tags=["报告"])
    url = reverse("snapshots:share_page", args=[share.token])
    # Expected queries of the first page (both engines):
    #  1. the share by its token, with its owner (is it live)
    #  2. the edge of the window of the share's newest links (none: it holds them all)
    #  3. title matches among them: one
    #  4. matches in visible text other than the title among them: the rest of the page
    #  5. the page's links, by id
    #  6. the newest succeeded snapshot of each, in one windowed query
    with django_assert_num_queries(6):
        response = client.get(url, {"q": "预算"})
    assert len(response.context["rows"]) == 20 and response.context["page"].has_next()
    # The second page:
    #  1. the share by its token, with its owner
    #  2. the edge of the window, as on the first page
    #  3. title matches up to the page's end among the share's newest links: one, all there
    #     are, so also how many come before the page
    #  4. other matches, from the offset less that title match
    #  5.-6. the page's links and their snapshots, as 5.-6. of the first page
    with django_assert_num_queries(6):
        response = client.get(url, {"q": "预算", "page": "2"})
    assert len(response.context["rows"]) == 12 and not response.context["page"].has_next()
    assert 'rel="prev"' in response.content.decode()


def test_words_match_whole_words_of_visible_text(client, owner, collection):
    share, made = collection
    report = make_link(owner, "https://example.com/r", text="", title="Annual Report, 2024", tags=["报告"])
    assert _found(client, share, "report") == [report.pk]
    assert _found(client, share, '"annual report"') == [report.pk]
    assert _found(client, share, "port") == []
    assert _found(client, share, "财政预算执行") == [made["body"].pk]


def test_share_pages_go_newer_older_without_a_total(client, owner, collection):
    share, _made = collection
    for i in range(20):
        make_link(owner, f"https://example.com/page/{i}", text="", title=f"第{i}号", tags=["报告"])
    url = reverse("snapshots:share_page", args=[share.token])
    first = client.get(url)
    assert len(first.context["rows"]) == 20 and 'rel="next"' in first.content.decode()
    second = client.get(url, {"page": "2"})
    body = second.content.decode()
    assert len(second.context["rows"]) == 3 and 'rel="prev"' in body and 'rel="next"' not in body
    assert "Page 2" in body and " of " not in body.split('class="pagination"')[1].split("</nav>")[0]
