"""Tag chips and the screenshot slider in a real Chromium: Chinese and ASCII separators and
spaces end a chip, a quoted name keeps its space, a suggestion is one chip, and the form sends
the comma-separated field the server reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from snapshots.models import Link, Snapshot
from tests.e2e.test_layout import _save_whole_page
from tests.factories import make_link, make_stored_snapshot
from tests.support.browser import SCREENS, become, chromium, wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENS / "tags"


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        driver.set_window_size(390, 844)
        yield driver


def _chips(browser: WebDriver) -> list[str]:
    return [chip.text.replace("×", "").strip() for chip in browser.find_elements(By.CSS_SELECTOR, "form .chip")]


def test_chips_split_on_chinese_separators_and_keep_quoted_names(browser, live_server, owner):
    make_link(owner, "https://example.com/old", tags=("统计数据", "统计 年鉴"))
    become(browser, live_server.url, owner)
    browser.get(live_server.url + reverse("snapshots:link_add"))
    browser.find_element(By.ID, "id_url").send_keys("https://example.com/new")
    entry = browser.find_element(By.ID, "id_tags")  # the label's field is the chip entry
    assert "chip-entry" in entry.get_attribute("class")
    entry.send_keys("政府，报告、新闻,公告 通知 ")
    entry.send_keys('"年度 总结"')
    entry.send_keys(Keys.ENTER)
    assert _chips(browser) == ["政府", "报告", "新闻", "公告", "通知", "年度 总结"]
    entry.send_keys("多余")
    entry.send_keys(Keys.ENTER)
    entry.send_keys(Keys.BACKSPACE)  # an empty entry: the last chip goes
    assert _chips(browser)[-1] == "年度 总结"
    entry.send_keys("统计")
    wait(browser, 3).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#tag-suggestions option")) == 2)
    suggested = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#tag-suggestions option")]
    assert sorted(suggested) == ["统计 年鉴", "统计数据"]
    # Picking a suggestion is one whole chip, space and all (as the browser's list does it).
    browser.execute_script(
        "const e = arguments[0]; e.value = '统计 年鉴';"
        "e.dispatchEvent(new InputEvent('input', {inputType: 'insertReplacementText'}));",
        entry,
    )
    assert _chips(browser)[-1] == "统计 年鉴"
    hidden = browser.find_element(By.ID, "id_tags-value")
    assert hidden.get_attribute("value") == '政府, 报告, 新闻, 公告, 通知, "年度 总结", "统计 年鉴"'
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "chips-390.png"))
    browser.find_element(By.CSS_SELECTOR, "form.card button.primary").click()
    wait(browser, 5).until(lambda b: "/add/" not in b.current_url)
    link = Link.objects.get(owner=owner, url="https://example.com/new")
    assert sorted(link.tags.names()) == sorted(["政府", "报告", "新闻", "公告", "通知", "年度 总结", "统计 年鉴"])


def test_edit_form_prefills_chips_and_the_slider_reveals_each_screenshot(browser, live_server, owner):
    link = make_link(owner, "https://example.com/edit", tags=("政府 报告", "新闻"))
    for text in ("第一段\n财政收入 8,765\n结尾", "第一段\n财政收入 9,100 万元\n结尾"):
        stored = make_stored_snapshot(link)
        Snapshot.objects.filter(pk=stored.pk).update(text=text)
    become(browser, live_server.url, owner)
    browser.get(live_server.url + reverse("snapshots:link_edit", args=[link.pk]))
    assert sorted(_chips(browser)) == ["政府 报告", "新闻"]
    browser.get(live_server.url + reverse("snapshots:version_compare", args=[link.pk]))
    slider = browser.find_element(By.CSS_SELECTOR, "input.shot-slider")
    assert slider.get_attribute("aria-label")
    older = browser.find_element(By.CSS_SELECTOR, ".shot-compare.overlaid figure:first-child")
    assert "50%" in older.value_of_css_property("clip-path")
    slider.send_keys(Keys.END)
    assert older.value_of_css_property("clip-path") == "inset(0px 0% 0px 0px)"
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "versions-390.png"))


IMAGES_LOADED_JS = """
return [...document.querySelectorAll('.shot-compare img')].every(i => i.complete && i.naturalWidth > 0);
"""


def test_tag_and_version_pages_fit_phone_and_desk_in_both_languages(browser, live_server, owner):
    link = make_link(owner, "https://example.com/both", tags=("政府 报告", "新闻", "long-english-tag-name"))
    make_link(owner, "https://example.com/other", tags=("报告",))
    lines = [f"第{i}段：政府工作报告 paragraph {i}" for i in range(80)]
    for changed in ("财政收入 8,765 元", "财政收入 9,100 万元"):
        lines[40] = changed
        stored = make_stored_snapshot(link)
        Snapshot.objects.filter(pk=stored.pk).update(text="\n".join(lines))
    become(browser, live_server.url, owner)
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for language in ("zh-hans", "en"):
        browser.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "path": "/"})
        for width, height in ((390, 844), (1280, 900)):
            browser.set_window_size(width, height)
            inner = browser.execute_script("return [window.innerWidth, window.innerHeight]")
            browser.set_window_size(2 * width - inner[0], 2 * height - inner[1])
            for name, path in (
                ("edit", reverse("snapshots:link_edit", args=[link.pk])),
                ("tags", reverse("snapshots:tag_list")),
                ("versions", reverse("snapshots:version_compare", args=[link.pk])),
            ):
                browser.get(live_server.url + path)
                if name == "versions":
                    browser.execute_script("document.querySelector('.shot-compare').scrollIntoView()")
                    wait(browser, 3).until(lambda b: b.execute_script(IMAGES_LOADED_JS))
                    browser.execute_script("window.scrollTo(0, 0)")
                if name == "tags":  # rename 新闻 onto 报告: the question page
                    _save_whole_page(browser, SHOTS / f"{name}-{language}-{width}.png")
                    row = browser.find_element(By.XPATH, "//input[@name='old'][@value='新闻']/..")
                    field = row.find_element(By.CSS_SELECTOR, "input[name='new']")
                    assert field.size["width"] >= 150, f"{language} {width}: rename field {field.size['width']} px"
                    field.clear()
                    field.send_keys("报告", Keys.ENTER)
                    wait(browser, 3).until(lambda b: b.find_elements(By.ID, "merge-question"))
                    name = "merge-question"
                scroll = browser.execute_script("return document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"{name} {language} {width}: {scroll} px wide")
                _save_whole_page(browser, SHOTS / f"{name}-{language}-{width}.png")
    assert not problems, "\n".join(problems)
    assert sorted(link.tags.names()) == sorted(["政府 报告", "新闻", "long-english-tag-name"])  # never confirmed
