"""In a real browser: share a tag, visit it anonymously, report, hide as staff, rotate the URL.

Screenshots of the public page and the snapshot viewer are written to /tmp/share-e2e/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from snapshots.models import Link, Report, Share
from tests.factories import make_link
from tests.support.browser import become, chromium, wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/share-e2e")


def status_of(url: str) -> int:
    try:
        with urlopen(url, timeout=10) as response:  # noqa: S310 - loopback live server
            return response.status
    except HTTPError as exc:
        return exc.code


def field_value(driver, element_id: str) -> str | None:
    """The field's value, or None while the page is being replaced (the caller polls again)."""
    try:
        found = driver.find_elements(By.ID, element_id)
        return found[0].get_attribute("value") if found else None
    except StaleElementReferenceException:
        return None


def visible_titles(driver) -> list[str]:
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".links .link-title")]


def test_share_visit_report_hide_rotate(live_server, owner, staff):
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    first = make_link(
        owner, "https://stats.example.cn/2025", tags=("报告",), title="2025年国民经济统计公报", notes="私人笔记",
        stored=True,
    )
    make_link(owner, "https://gov.example.cn/budget", tags=("报告",), title="财政预算执行情况报告", stored=True)
    make_link(owner, "https://example.com/private", tags=("私人",), title="不公开的链接", stored=True)
    with chromium() as driver:
        become(driver, base, owner)
        driver.get(base + "/shares/")
        driver.find_element(By.NAME, "tag").send_keys("报告")
        driver.find_element(By.NAME, "title").send_keys("政府报告合集")
        driver.find_element(By.NAME, "description").send_keys("公开的年度报告，附快照。")
        driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
        public_url = wait(driver).until(lambda d: field_value(d, "public-url"))
        share = Share.objects.get(owner=owner)
        assert public_url == f"{base}/s/{share.token}/"

        become(driver, base, None)
        driver.get(public_url)
        assert sorted(visible_titles(driver)) == ["2025年国民经济统计公报", "财政预算执行情况报告"]
        assert "私人笔记" not in driver.page_source and "不公开的链接" not in driver.page_source
        thumbs = driver.find_elements(By.CSS_SELECTOR, ".links img")
        assert len(thumbs) == 2
        wait(driver).until(lambda d: all(d.execute_script("return arguments[0].naturalWidth", t) > 0 for t in thumbs))
        driver.save_screenshot(str(SHOTS / "share_page.png"))

        driver.find_element(By.LINK_TEXT, "2025年国民经济统计公报").click()
        frame = wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "iframe.archive")))
        assert frame.get_attribute("sandbox") == ""
        viewer_url = driver.current_url
        assert viewer_url.startswith(f"{base}/s/{share.token}/snapshots/")
        driver.switch_to.frame(frame)
        wait(driver).until(lambda d: "财政收入" in d.find_element(By.TAG_NAME, "body").text)
        driver.switch_to.default_content()
        driver.execute_script("document.querySelector('#screenshot').scrollIntoView()")
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(SHOTS / "snapshot_viewer.png"))

        driver.find_element(By.PARTIAL_LINK_TEXT, "举报" if "举报" in driver.page_source else "Report").click()
        driver.find_element(By.CSS_SELECTOR, "input[name=reason][value=spam]").click()
        driver.find_element(By.NAME, "message").send_keys("这是广告")
        driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
        wait(driver).until(lambda d: d.current_url == public_url)
        report = Report.objects.get()
        assert report.link_id == first.pk

        become(driver, base, staff)
        driver.get(base + "/moderation/")
        row = driver.find_element(By.ID, f"report-{report.pk}")
        driver.save_screenshot(str(SHOTS / "moderation_queue.png"))
        assert "2025年国民经济统计公报" in row.text and owner.username in row.text
        Select(row.find_element(By.NAME, f"r{report.pk}-action")).select_by_value("hide_link")
        row.find_element(By.NAME, f"r{report.pk}-reason").send_keys("广告内容")
        row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(driver).until(lambda d: not d.find_elements(By.ID, f"report-{report.pk}"))
        assert Link.objects.get(pk=first.pk).hidden_by_staff

        become(driver, base, None)
        driver.get(public_url)
        assert visible_titles(driver) == ["财政预算执行情况报告"]
        assert status_of(viewer_url) == 404

        become(driver, base, owner)
        driver.get(f"{base}/shares/{share.pk}/")
        driver.save_screenshot(str(SHOTS / "share_edit.png"))
        driver.find_element(By.ID, "rotate").click()
        wait(driver).until(lambda d: field_value(d, "public-url") not in (None, public_url))
        new_url = field_value(driver, "public-url")
        become(driver, base, None)
        driver.get(public_url)
        assert "财政预算执行情况报告" not in driver.page_source
        assert status_of(public_url) == 404
        assert status_of(public_url + "feed/") == 404
        driver.get(new_url)
        assert visible_titles(driver) == ["财政预算执行情况报告"]
