"""Chinese pages in every encoding come out as exactly the right text and table numbers."""

from __future__ import annotations

import pytest

from capture.engine import capture

REPORT_FACTS = [
    "某市2024年国民经济和社会发展统计公报",
    "全年地区生产总值（GDP）12,345.67亿元",
    "三次产业结构为3.7∶35.0∶61.3",
    "出生率为7.66‰",
    "全年全市居民人均可支配收入68,912元",
]
TABLE_ROWS = [
    "第二产业\t4,321.09\t4.8",
    "　房地产业\t869.02\t-2.3",
    "集成电路\t亿块\t95.33\t21.5",
    "人均可支配收入\t68,912\t74,560\t39,218",
    "恩格尔系数（%）\t27.4\t26.9\t30.8",
]


@pytest.mark.parametrize(
    ("path", "charset"),
    [
        ("/report.html", "UTF-8"),
        ("/gbk-header", "GBK"),
        ("/gbk-meta", "GBK"),
        ("/report_gbk.html", "GBK"),  # served as text/html without charset, declared by <meta>
        ("/gbk-none", "GBK"),  # neither header nor meta: Chromium's detector decides
    ],
)
def test_simplified_chinese_report_text_and_tables_are_exact(pages, config, path, charset):
    result = capture(pages.url(path), config)
    assert result.ok, result.error
    assert result.charset.upper() == charset
    assert result.title == "某市2024年国民经济和社会发展统计公报"
    for fact in REPORT_FACTS:
        assert fact in result.text
    for row in TABLE_ROWS:
        assert row in result.text
    assert "\ufffd" not in result.text
    assert result.artifacts["text"].data.decode("utf-8") == result.text
    assert "12,345.67" in result.artifacts["dom"].data.decode("utf-8")
    offline = result.artifacts["html"].data.decode("utf-8")  # the self-contained copy, re-encoded
    assert "某市2024年国民经济和社会发展统计公报" in offline and "68,912" in offline
    assert "\ufffd" not in offline
    assert result.language == "zh-CN"


@pytest.mark.parametrize("path", ["/big5-header", "/big5-meta"])
def test_traditional_chinese_big5_is_exact(pages, config, path):
    result = capture(pages.url(path), config)
    assert result.ok, result.error
    assert result.charset.upper() == "BIG5"
    assert result.title == "臺北市113年統計年報摘要"
    assert "本年度全市戶籍人口為2,494,813人，較上年增加0.42%。" in result.text
    assert "萬華區\t88,004\t180,912" in result.text
    assert "\ufffd" not in result.text
    offline = result.artifacts["html"].data.decode("utf-8")
    assert "臺北市113年統計年報摘要" in offline and "\ufffd" not in offline
