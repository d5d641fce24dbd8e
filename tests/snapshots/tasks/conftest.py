"""Fixtures for tests that run the real pipeline: API → PostgreSQL → Redis → Celery → Chromium."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connections

from tests.pages.server import FixtureServer
from tests.support import pageserver
from tests.support.processes import CeleryProcess, RedisServer, worker

REPORT_TITLE = "2025年国民经济和社会发展统计公报"
REPORT_BODY = (
    f"<h1>{REPORT_TITLE}</h1><p>政务公开：全年国内生产总值 1349084 亿元，比上年增长 5.0%。</p>"
    "<table border=1><tr><th>指标</th><th>数值</th><th>增长</th></tr>"
    "<tr><td>粮食产量</td><td>70650</td><td>1.6%</td></tr>"
    "<tr><td>工业增加值</td><td>405442</td><td>5.7%</td></tr></table>"
)
# A long GBK report whose one mention of 政务公开 sits far down the page.
LONG_GBK_BODY = (
    "<h1>某县2024年财政预算执行情况报告</h1>"
    + "".join(f"<p>第{n}项：一般公共预算收入{n * 37}万元，同比增长{n % 9}.{n % 7}%。</p>" for n in range(1, 1500))
    + "<p id='target'>本县全面推进政务公开标准化规范化建设。</p>"
)

# Short limits so fault tests finish quickly; the visibility timeout still outlasts the hard limit.
FAST_LIMITS = {
    "CAPTURE_HARD_TIME_LIMIT": "14",
    "CAPTURE_SOFT_TIME_LIMIT": "12",
    "CAPTURE_DEADLINE": "10",
    "CAPTURE_PAGE_LOAD_BUDGET": "6",
    "CAPTURE_PAGE_ANSWER_TIMEOUT": "2",
    "CELERY_VISIBILITY_TIMEOUT": "16",
    "CELERY_RESTORE_INTERVAL": "2",
    "CAPTURE_SWEEP_INTERVAL": "2",
    "CAPTURE_SWEEP_GRACE": "1",
}


@pytest.fixture(scope="session")
def pages():
    release = threading.Event()
    server = FixtureServer(
        {
            "/report.html": pageserver.html(REPORT_BODY, title=REPORT_TITLE),
            "/budget-gbk.html": pageserver.html(LONG_GBK_BODY, title="某县财政预算执行情况", charset="gbk"),
            "/stall.html": pageserver.stall_first(pageserver.html(REPORT_BODY, title="迟到的页面"), release=release),
            "/spin.html": pageserver.html("<p>忙</p><script>onload = () => { for (;;) {} };</script>", title="忙"),
            **pageserver.members_site(),
        }
    ).start()
    yield server
    release.set()
    server.stop()


@pytest.fixture(scope="session")
def worker_env(django_db_setup, pages, tmp_path_factory) -> dict[str, str]:
    db = connections["default"].settings_dict
    assert db["ENGINE"].endswith("postgresql"), "worker tests run against PostgreSQL (use make test)"
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CAPTURE_ALLOWED_ORIGINS": pages.origin,
        "DJANGO_SETTINGS_MODULE": "linkhome.settings",
        **FAST_LIMITS,
    }


@pytest.fixture
def allow_pages(settings, pages):
    settings.CAPTURE_ALLOWED_ORIGINS = [pages.origin]
    return pages


@pytest.fixture(scope="module")
def celery_worker(worker_env, tmp_path_factory):
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = worker(worker_env, log, concurrency=2).start()
    yield process
    process.stop()


@pytest.fixture
def redis_server(tmp_path) -> RedisServer:
    port = os.environ.get("TEST_REDIS_PORT")
    if not port:
        pytest.fail("fault tests need the suite's own Redis: run them with `make test` (bin/test)")
    server = RedisServer(int(port), tmp_path)
    yield server
    if not server.is_up():
        server.start()


def log_tails(*processes: CeleryProcess) -> str:
    return "\n\n".join(p.log_tail() for p in processes)
