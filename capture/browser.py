"""One warm Chromium per worker process, driven by Selenium, started once and reused.

A cold start costs about as much as a whole capture, so the session stays up between captures
and is recycled only after `browser_recycle_after` captures, when its memory grows past
`browser_max_rss_mb`, or when it breaks (both read from the config of the capture that just
ended). Each session owns its filtering proxy and a profile folder named `<worker pid>-<n>`
under the config's `profile_root`, which is how `reap_orphans` recognises what a dead worker
left behind. A session keeps the binaries and profile root it was started with.

chromedriver and Chromium start at `browser_nice` (every Chromium process inherits it), so a page
that spins the CPU yields to the web processes and to the workers' own code.
"""

from __future__ import annotations

import http.client
import itertools
import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from urllib3.exceptions import HTTPError

from capture import procs
from capture.page import blank_tab, top_frame_id
from capture.proxy import FilteringProxy
from capture.results import CaptureConfig

logger = logging.getLogger(__name__)

VIEWPORT = (1280, 800)
# What talking to chromedriver raises when it or the browser is gone (urllib3's when its port is closed).
DRIVER_ERRORS = (WebDriverException, OSError, HTTPError)
_counter = itertools.count(1)
_lock = threading.RLock()
_session: BrowserSession | None = None
_generation = 0  # bumped by shutdown(), so a replacement scheduled before it never starts after it

# Features that phone home, prefetch, or open side channels around the proxy, and one that only costs.
_DISABLED_FEATURES = ",".join(
    [
        "AutofillServerCommunication",
        "CertificateTransparencyComponentUpdater",
        "DialMediaRouteProvider",
        "InterestFeedContentSuggestions",
        "MediaRouter",
        "NetworkPrediction",
        "NetworkTimeServiceQuerying",
        "OptimizationHints",
        "PrivacySandboxSettings4",
        "SafeBrowsingEnhancedProtection",
        "Translate",
        "DnsOverHttps",
        "AcceptCHFrame",
        "HttpsUpgrades",
        # Not a side channel but a cost: a new frame host for every document (the page, the blank
        # page of the reset, the next page), about 80 ms of browser CPU and 30 ms a capture here,
        # over the pages bench/bench_e2e.py uses. Each capture's documents are already kept apart
        # by the reset (blank_tab) and each site's by site isolation, which stays on.
        "RenderDocument",
    ]
)

# Chromium's own services (sign-in, component updates, variations) are pointed at names under
# .invalid (RFC 6761: they never resolve); those names skip the proxy and die in Chromium's own
# resolver, which maps every name to NOTFOUND, so they contact nothing and the guard's record
# holds only what pages asked for.
_DEAD_END = "invalid"
_SERVICE_URLS = [
    f"--gaia-url=https://gaia.{_DEAD_END}/",
    f"--google-apis-url=https://apis.{_DEAD_END}/",
    f"--variations-server-url=https://variations.{_DEAD_END}/",
    f"--component-updater=url-source=https://updates.{_DEAD_END}/",
]

# Profile preferences: a blank start page (not the new-tab page, which shows the default search
# engine's start page), no search engine, no prediction, no Google services.
PREFS = {
    "download_restrictions": 3,
    "session": {"restore_on_startup": 4, "startup_urls": ["about:blank"]},
    "homepage": "about:blank",
    "homepage_is_newtabpage": False,
    "default_search_provider": {"enabled": False},
    "search": {"suggest_enabled": False},
    "net": {"network_prediction_options": 2},
    "alternate_error_pages": {"enabled": False},
    "safebrowsing": {"enabled": False},
    "signin": {"allowed": False, "allowed_on_next_startup": False},
    "translate": {"enabled": False},
}

# Runs before any page script in every frame: dialogs, popups and unload prompts become no-ops
# so a hostile page cannot stall the capture on them.
NEUTRALISER = """
(() => {
  const quiet = () => undefined;
  const define = (name, value) => {
    try { Object.defineProperty(window, name, {value, writable: false, configurable: false}); }
    catch (e) { /* already locked by an earlier run in this realm */ }
  };
  define('alert', quiet);
  define('confirm', () => false);
  define('prompt', () => null);
  define('print', quiet);
  define('open', () => null);
  try {
    Object.defineProperty(window, 'onbeforeunload', {get: () => null, set: quiet, configurable: false});
  } catch (e) { /* see above */ }
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, ...rest) {
    if (type === 'beforeunload' || type === 'unload') return undefined;
    return add.call(this, type, ...rest);
  };
})();
"""


def chromium_arguments(proxy_port: int, profile: Path) -> list[str]:
    """Command-line flags of a capture browser; every request must go through the proxy."""
    return [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-breakpad",
        "--disable-dev-shm-usage",
        "--disable-renderer-backgrounding",
        "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
        "--metrics-recording-only",
        "--disable-field-trial-config",
        "--disable-component-extensions-with-background-pages",
        "--disable-search-engine-choice-screen",
        "--no-pings",
        "--password-store=basic",
        "--use-mock-keychain",
        "--mute-audio",
        "--hide-scrollbars",
        "--block-new-web-contents",
        "--deny-permission-prompts",
        f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
        f"--user-data-dir={profile}",
        f"--proxy-server=http://127.0.0.1:{proxy_port}",
        f"--proxy-bypass-list=<-loopback>;*.{_DEAD_END}",
        *_SERVICE_URLS,
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        f"--disable-features={_DISABLED_FEATURES}",
    ]


class BrowserSession:
    """A Chromium + chromedriver pair with its own proxy and profile folder."""

    def __init__(self, config: CaptureConfig) -> None:
        self.config = config
        self.proxy = FilteringProxy()
        self.driver: webdriver.Chrome | None = None
        self.profile = Path(config.profile_root) / f"{os.getpid()}-{next(_counter)}"
        self.captures = 0
        self.broken = False
        # The tab's top frame id: the tab's own, the same for every document it shows, so the
        # steps that open a world in it need not ask for it on every capture.
        self.top_frame = ""
        self._driver_pid: int | None = None

    def start(self) -> BrowserSession:
        port = self.proxy.start()
        self.profile.mkdir(parents=True, exist_ok=True)
        options = Options()
        options.binary_location = self.config.chromium_binary
        for argument in chromium_arguments(port, self.profile):
            options.add_argument(argument)
        options.page_load_strategy = "none"
        options.set_capability("unhandledPromptBehavior", "dismiss")
        options.add_experimental_option("prefs", PREFS)
        service = Service(self.config.chromedriver_binary, log_output=subprocess.DEVNULL,
                          popen_kw={"preexec_fn": procs.lowered_priority(self.config.browser_nice)})
        try:
            self.driver = webdriver.Chrome(options=options, service=service)
            self._driver_pid = service.process.pid if service.process else None
            self.driver.set_script_timeout(30)
            self.top_frame = top_frame_id(self.driver)
            self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "deny"})
            self.driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument", {"source": NEUTRALISER, "runImmediately": True}
            )
        except Exception:
            self.kill()
            raise
        logger.info("started capture browser %s (proxy port %d)", self.profile.name, port)
        return self

    def pids(self) -> list[int]:
        if self._driver_pid is None:
            return []
        return [self._driver_pid, *procs.descendants(self._driver_pid)]

    def alive(self) -> bool:
        return self.driver is not None and self._driver_pid is not None and procs.is_running(self._driver_pid)

    def answers(self, timeout: float = 2.0) -> bool:
        """True when chromedriver runs and the browser process itself answers.

        The browser's DevTools endpoint is served by the browser process, not by a page's
        renderer, so a page spinning in a loop cannot block it: a session that answers here
        while a page script did not is a healthy browser showing a hostile page.
        """
        if not self.alive():
            return False
        try:
            port = int((self.profile / "DevToolsActivePort").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return False
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("GET", "/json/version")
            return connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def rss_mb(self) -> float:
        """Resident memory of the browser (chromedriver left out), read after every capture."""
        if self._driver_pid is None:
            return 0.0
        return procs.rss_mb(procs.children_of(self._driver_pid))

    def reset(self, origins: list[str], *, new_renderer: bool = False) -> None:
        """Leave nothing of one capture to the next: page, history, cookies, storage, cache, extra tabs.

        `new_renderer` also replaces the page's renderer process (after a page the reader
        uploaded: their own copy of a page, perhaps private, whose memory no later capture
        should share a process with).
        """
        driver = self.driver
        if driver is None:
            return
        handles = driver.window_handles
        for handle in handles[1:]:
            driver.switch_to.window(handle)
            driver.close()
        if len(handles) > 1:
            driver.switch_to.window(handles[0])
        blank_tab(driver, new_renderer=new_renderer)
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        for origin in dict.fromkeys(origins):
            driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})

    def quit(self) -> None:
        """Close politely (chromedriver ends Chromium), then make sure nothing is left."""
        driver, self.driver = self.driver, None
        if driver is not None:
            try:
                driver.quit()
            except DRIVER_ERRORS as exc:
                logger.warning("capture browser did not quit cleanly: %s", exc)
        self.kill()

    def kill(self) -> None:
        """Hard stop, safe from any thread (the deadline watchdog calls it mid-command).

        Chromium outlives a chromedriver that died, reparented away from it, so its processes
        are also found by the profile folder they were started with.
        """
        self.broken = True
        procs.kill_all({*self.pids(), *procs.started_with(self.profile)})
        self.proxy.stop()
        shutil.rmtree(self.profile, ignore_errors=True)


def acquire(config: CaptureConfig) -> BrowserSession:
    """The warm session, started with `config` (or restarted after a recycle or crash) when needed."""
    global _session
    with _lock:
        if _session is not None and (_session.broken or not _session.alive()):
            logger.warning("capture browser %s is gone; starting a new one", _session.profile.name)
            _session.kill()
            _session = None
        if _session is None:
            _session = BrowserSession(config).start()
        return _session


def release(session: BrowserSession, origins: list[str], config: CaptureConfig, *, new_renderer: bool = False) -> None:
    """Reset after a capture, or retire the session if it is due for recycling or broken."""
    global _session
    with _lock:
        session.captures += 1
        reason = ""
        if session.broken:
            reason = "broken"
        elif session.captures >= config.browser_recycle_after:
            reason = f"{session.captures} captures"
        elif (rss := session.rss_mb()) > config.browser_max_rss_mb:
            reason = f"{rss:.0f} MB resident"
        if not reason:
            try:
                session.reset(origins, new_renderer=new_renderer)
            except DRIVER_ERRORS as exc:
                reason = f"reset failed: {exc}"
        if reason:
            logger.info("recycling capture browser %s (%s)", session.profile.name, reason)
            session.quit()
            if _session is session:
                _session = None


def discard(session: BrowserSession) -> None:
    """Throw a session away after it broke mid-capture."""
    global _session
    with _lock:
        session.kill()
        if _session is session:
            _session = None


def replace_later(session: BrowserSession, config: CaptureConfig) -> threading.Thread:
    """Throw `session` away and start its successor in the background, so the next capture finds
    a clean browser already warm (a cold start costs about as much as a capture)."""
    generation = _generation

    def replace() -> None:
        global _session
        discard(session)
        with _lock:
            if _session is not None or _generation != generation:
                return
            try:
                _session = BrowserSession(config).start()
            except DRIVER_ERRORS as exc:
                logger.warning("could not start a capture browser ahead of time: %s", exc)

    thread = threading.Thread(target=replace, name="capture-replace", daemon=True)
    thread.start()
    return thread


def prewarm(config: CaptureConfig) -> None:
    """Start the browser before the first capture so that one does not pay the cold start."""
    acquire(config)


def shutdown() -> None:
    """Quit the warm browser; call at worker process shutdown."""
    global _session, _generation
    with _lock:
        _generation += 1
        if _session is not None:
            _session.quit()
            _session = None


def current() -> BrowserSession | None:
    return _session


def reap_orphans(config: CaptureConfig) -> list[int]:
    """Kill Chromium trees and remove profiles left by dead workers (or by this pid earlier)."""
    with _lock:
        keep = _session.profile.resolve() if _session is not None else None
        return procs.reap_orphans(Path(config.profile_root), keep)
