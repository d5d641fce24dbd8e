"""Every write path to links goes through `link_changed`: search finds the change at once and the
owner's cached tag bar and link total are forgotten once the write commits."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from snapshots.archive import lifecycle
from snapshots.links import services
from snapshots.models import Link, Snapshot
from snapshots.search import listcache
from snapshots.search.query import search_links
from snapshots.transfer import importing

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def found(owner, query: str) -> list[int]:
    return [link.pk for link in search_links(Link.objects.filter(owner=owner), query)]


def facts(owner) -> tuple[int, list[str]]:
    cached = listcache.list_facts(owner_id=owner.pk)
    return cached.total, [str(t["name"]) for t in cached.tags]


def test_create_update_delete(owner, committed):
    assert facts(owner) == (0, [])  # cached from here on
    link = committed(
        lambda: services.link_create(owner=owner, url="https://example.com/a", title="甲", tags=["政府"], capture=False)
    )
    assert facts(owner) == (1, ["政府"]) and found(owner, "甲") == [link.pk]
    committed(lambda: services.link_update(link=link, data={"title": "年度报告", "tags": ["报告"]}))
    assert facts(owner) == (1, ["报告"]) and found(owner, "年度报告") == [link.pk] and found(owner, "甲") == []
    committed(lambda: services.link_delete(link=link))
    assert facts(owner) == (0, []) and found(owner, "年度报告") == []


def test_tag_rename_and_merge_update_rows_in_bulk_and_still_reach_search(owner, other, committed):
    links = [
        services.link_create(owner=owner, url=f"https://example.com/{i}", tags=[tag], capture=False)
        for i, tag in enumerate(["政府", "政府", "财政"])
    ]
    theirs = services.link_create(owner=other, url="https://example.com/x", tags=["政府"], capture=False)
    assert facts(owner) == (3, ["政府", "财政"]) and facts(other) == (1, ["政府"])
    committed(lambda: services.tag_rename(owner=owner, old="政府", new="公共"))
    assert facts(owner) == (3, ["公共", "财政"]) and facts(other) == (1, ["政府"])
    assert found(owner, "#公共") == [links[1].pk, links[0].pk] and found(other, "#政府") == [theirs.pk]
    committed(lambda: services.tag_merge(owner=owner, sources=["公共", "财政"], target="合并"))
    assert facts(owner) == (3, ["合并"]) and len(found(owner, "#合并")) == 3


def test_import_bulk_creates_reach_search_and_the_list(owner, committed):
    assert facts(owner) == (0, [])
    page = '<DL><p><DT><H3>导入</H3><DL><p><DT><A HREF="https://example.com/imp">进口统计月报</A></DL><p></DL>'
    upload = SimpleUploadedFile("bookmarks.html", page.encode(), content_type="text/html")
    job = committed(lambda: importing.import_job_create(owner=owner, upload=upload))
    committed(lambda: importing.import_job_run(job.pk))
    [link] = Link.objects.filter(owner=owner)
    assert facts(owner) == (1, ["导入"]) and found(owner, "统计月报") == [link.pk]


def test_a_finished_capture_reaches_search(owner, committed):
    link = services.link_create(owner=owner, url="https://example.com/page", capture=False)
    snapshot = Snapshot.objects.create(link=link, owner_id=link.owner_id, trigger=Snapshot.Trigger.MANUAL)
    result = SimpleNamespace(
        ok=True, error="", artifacts={}, text="第三季度国民经济运行情况", notes=[], final_url=link.url,
        http_status=200, content_type="text/html", title="运行情况", description="", language="zh",
        charset="utf-8", timings={},
    )
    committed(lambda: lifecycle.snapshot_finish(snapshot.pk, result))
    assert found(owner, "国民经济") == [link.pk]
    link.refresh_from_db()
    assert link.title == "运行情况"


def test_nothing_else_refreshes_search_or_forgets_the_list_by_hand():
    """The one exception is the full rebuild (the management command and the migration that ran it)."""
    pattern = re.compile(r"search_document_refresh\(|search_documents_create\(|listcache\.forget\(|\bforget\(")
    allowed = {"snapshots/search/changes.py", "snapshots/search/indexing.py", "snapshots/search/listcache.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("snapshots", "accounts", "capture", "linkhome")
        for path in (ROOT / package).rglob("*.py")
        if str(path.relative_to(ROOT)) not in allowed and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
