"""The page walk's language check: Latin words on a Chinese page pass only as the names and
phrases our Chinese strings use, so a word left in English is caught wherever else it shows."""

from __future__ import annotations

import pytest

from tests.support.pagechecks import language_problems


@pytest.mark.parametrize(
    "text",
    [
        "欢迎来到 link之家！",
        "site:example.com：只显示此网站",
        "截图中隐藏了 3 个“打开 App”或登录提示条",
        "3 个 Cookie 提示",
        "API 令牌",
    ],
)
def test_names_and_phrases_of_our_chinese_strings_pass(text):
    assert language_problems([text], "page", "zh-hans") == []


@pytest.mark.parametrize("text", ["link", "token", "site", "打开 App", "Cookie", "保存 Open"])
def test_the_same_words_alone_are_english_left_on_a_chinese_page(text):
    assert language_problems([text], "page", "zh-hans")
