"""The reader copy's allow-list and images, without a browser."""

from __future__ import annotations

import base64
import re

from capture.reader.document import build, sanitise, text_of
from capture.reader.inpage import Article
from snapshots.storage.readercopy import clean, reading_minutes

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
HOSTILE = (
    "开头的文字<p class='x' id='login' style='position:fixed' onclick='steal()'>正文<script>alert(1)</script></p>"
    "<form action='/x'><input name='password'><button>登录</button></form><iframe src='https://evil.test/'></iframe>"
    "<a href='javascript:alert(1)'>坏链接</a><a href='/next'>下一节</a><style>body{display:none}</style>"
    "<img src='/chart.png' alt='图' onerror='x()'><img src='https://elsewhere.test/a.png' alt='没有的图'>"
    "<img data-src='/lazy.png' src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' alt='懒加载'>"
    "<table><tr><td colspan='2' style='color:red'>合计</td><td>158236</td></tr></table><svg><script>x()</script></svg>"
)
HELD = {"https://site.test/chart.png": ("image/png", PNG), "https://site.test/lazy.png": ("image/png", PNG)}
ACTIVE = re.compile(r"<script|<style|<iframe|<form|<input|<svg|\son\w+\s*=|\s(?:style|class|id)\s*=|javascript:", re.I)


def test_sanitise_keeps_structure_and_drops_everything_active():
    out = sanitise(HOSTILE, "https://site.test/report.html", HELD.get)
    assert not ACTIVE.search(out), ACTIVE.search(out)
    assert out.startswith("开头的文字<p>正文</p>")
    assert '<td colspan="2">合计</td><td>158236</td>' in out
    assert '<a href="https://site.test/next" rel="noopener noreferrer nofollow">下一节</a>' in out
    assert "<a rel=\"noopener noreferrer nofollow\">坏链接</a>" in out
    images = re.findall(r"<img [^>]*>", out)
    assert len(images) == 2  # the image the capture did not hold is gone, not fetched
    assert all(f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in img for img in images)
    assert 'alt="懒加载"' in out and "没有的图" not in out


def test_the_artifact_is_a_locked_document_and_its_text_reads_as_lines():
    article = Article(title="报告 <b>", byline="县财政局", published="2026-01-12T08:00:00+08:00",
                      content="<h2>一、收入</h2><p>完成<b>158236</b>万元。</p><ul><li>甲</li><li>乙</li></ul>",
                      language="zh-CN", direction="", url="https://site.test/")
    data, text = build(article, HELD.get)
    page = data.decode()
    assert "default-src 'none'" in page and '<html lang="zh-CN">' in page
    header = '<h1>报告 &lt;b&gt;</h1><p>县财政局</p><p><time datetime="2026-01-12T08:00:00+08:00">2026-01-12</time>'
    assert header in page
    assert text == "报告 <b>\n县财政局\n一、收入\n完成158236万元。\n甲\n乙"
    assert text_of("<table><tr><td>a</td><td>b</td></tr></table>") == "a\tb"


def test_the_web_side_cleans_again_with_the_same_rules():
    stored = '<p style="x" class="y">文字</p><img src="https://tracker.test/p.gif">' \
             '<img src="data:image/png;base64,AAAA">'
    assert clean(stored + "<script>x()</script>") == '<p>文字</p><img><img src="data:image/png;base64,AAAA">'


def test_reading_time_counts_chinese_by_characters_and_english_by_words():
    assert reading_minutes("字" * 800) == 2
    assert reading_minutes("word " * 460) == 2
    assert reading_minutes("字" * 400 + " word" * 230) == 2
    assert reading_minutes("") == 1
