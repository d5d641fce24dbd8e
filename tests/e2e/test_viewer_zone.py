"""The browser tells the site its time zone, and the pages it then gets show local times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from snapshots.models import Snapshot
from tests.factories import make_link, make_snapshot
from tests.support.browser import become, chromium, wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_zone_the_browser_reports_dates_the_link_page(live_server, owner):
    link = make_link(owner, title="公报")
    snapshot = make_snapshot(link, artifacts={"html": "p.html"})
    Snapshot.objects.filter(pk=snapshot.pk).update(created=datetime(2026, 11, 29, 16, 30, tzinfo=UTC))
    url = live_server.url + reverse("snapshots:link_detail", args=[link.pk])
    with chromium() as browser:
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/Los_Angeles"})
        become(browser, live_server.url, owner)
        browser.get(url)
        wait(browser, 3).until(lambda driver: (driver.get_cookie("tz") or {}).get("value") == "America/Los_Angeles")
        browser.get(url)
        times = [element.text for element in browser.find_elements(By.CSS_SELECTOR, "table.versions time")]
        assert times == ["2026-11-29 08:30:00"]
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Shanghai"})
        browser.get(url)  # the cookie is rewritten on this page, used from the next
        wait(browser, 3).until(lambda driver: driver.get_cookie("tz")["value"] == "Asia/Shanghai")
        browser.get(url)
        assert browser.find_element(By.CSS_SELECTOR, "table.versions time").text == "2026-11-30 00:30:00"
