"""Search excerpts show Chinese punctuation full width (：，（）！) although the indexed text holds
it as ASCII (NFKC), while searching still matches either spelling."""

from __future__ import annotations

import pytest

from snapshots.models import SearchDocument
from snapshots.search.excerpts import as_written, excerpts_for, highlight
from tests.factories import make_link

pytestmark = pytest.mark.django_db


def test_excerpt_shows_full_width_punctuation_beside_chinese(owner):
    link = make_link(owner, "https://example.com/p", text="标题：政府工作报告，全文（摘要）！ＡＢＣ")
    excerpt = excerpts_for([link.pk], "报告")[link.pk]
    assert excerpt == "标题：政府工作<mark>报告</mark>，全文（摘要）！ABC…"


def test_traditional_text_and_notes_too(owner):
    page = make_link(owner, "https://example.com/t", text="年度報告：收入增長，支出下降。")
    notes = make_link(owner, "https://example.com/n", notes="會議紀要：報告待審；明日再議")
    excerpts = excerpts_for([page.pk, notes.pk], "报告")
    assert excerpts[page.pk] == "年度<mark>報告</mark>：收入增長，支出下降。…"
    assert "會議紀要：<mark>報告</mark>待審；明日再議" in excerpts[notes.pk]


def test_numbers_and_latin_words_keep_their_ascii_punctuation():
    assert as_written("GDP: 1,234.5 (2025), up 5%; 增长:快") == "GDP: 1,234.5 (2025), up 5%; 增长：快"
    assert as_written("Hello, world!") == "Hello, world!"


def test_a_query_with_either_colon_marks_the_full_width_one():
    assert highlight("标题:报告", ["标题:报告"]) == "<mark>标题：报告</mark>"


def test_the_indexed_text_keeps_no_second_copy_for_punctuation(owner):
    link = make_link(owner, "https://example.com/s", text="标题：政府工作报告，全文。")
    assert SearchDocument.objects.get(pk=link.pk).body_original in ("", None)


def test_a_phrase_with_a_full_width_colon_still_finds_the_page(owner):
    link = make_link(owner, "https://example.com/q", text="前言。标题：政府工作报告")
    assert "<mark>标题：政府</mark>" in excerpts_for([link.pk], '"标题：政府"')[link.pk]
