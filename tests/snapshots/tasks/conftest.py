"""Fixtures for tests that run the real pipeline: API → PostgreSQL → Redis → Celery → Chromium."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connections

from tests.pages import routes
from tests.pages.server import PAGES, FixtureServer
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

# A GBK government report as such sites are built: navigation and footer around the article,
# numeric tables and a chart in it, and script, handlers, styles, a form and a frame that the
# reader copy must leave behind.
READER_REPORT_TITLE = "某县2025年财政预算执行情况的报告"
READER_REPORT_BODY = (
    "<div id='nav' class='nav'><a href='/'>网站首页</a> <a href='/zwgk/'>政务公开</a> <a href='/bsfw/'>办事服务</a>"
    " <a href='/hdjl/'>互动交流</a> <form action='/search'><input name='q'><button>搜索</button></form></div>"
    "<div class='main'><h1 class='title'>某县2025年财政预算执行情况的报告</h1>"
    "<div class='info'>发布时间：2026-01-12　来源：县财政局</div>"
    "<div id='zoom' class='content' style='font-size:16px'>"
    "<p onclick=\"document.title='pwned'\">各位代表：受县人民政府委托，"
    "现将全县2025年财政预算执行情况报告如下，请予审议。</p>"
    "<h2>一、一般公共预算收支情况</h2>"
    "<p>全县一般公共预算收入完成158236万元，为预算的101.4%，增长6.2%。其中税收收入112874万元，增长5.1%。"
    "一般公共预算支出完成412905万元，为调整预算的97.3%。</p>"
    "<table border='1' class='data' style='width:100%'><caption>表一　一般公共预算收入完成情况</caption>"
    "<tr><th>项目</th><th>预算数（万元）</th><th>完成数（万元）</th><th>增长（%）</th></tr>"
    "<tr><td>税收收入</td><td>110500</td><td>112874</td><td>5.1</td></tr>"
    "<tr><td>非税收入</td><td>45500</td><td>45362</td><td>8.9</td></tr>"
    "<tr><td>合计</td><td>156000</td><td>158236</td><td>6.2</td></tr></table>"
    "<p><img src='/reader-chart.png' alt='收入构成图'></p>"
    "<h2>二、政府性基金预算收支情况</h2>"
    "<p>政府性基金预算收入完成86420万元，为预算的93.8%，主要是国有土地使用权出让收入减少。"
    "政府性基金预算支出完成90317万元。</p>"
    "<table border='1'><tr><td>科目</td><td>完成数（万元）</td></tr>"
    "<tr><td>国有土地使用权出让收入</td><td>79315</td></tr><tr><td>城市基础设施配套费收入</td><td>7105</td></tr></table>"
    "<ul><li>加强预算绩效管理，全面实施绩效评价。</li><li>防范化解政府债务风险，债务率控制在合理区间。</li></ul>"
    "<iframe src='/stall.html?frame'></iframe>"
    "<script>document.getElementById('zoom').insertAdjacentHTML('beforeend', '<p>脚本写入的内容</p>');</script>"
    "<p>以上报告，请予审议。</p></div></div>"
    "<div class='footer'><p>主办单位：某县人民政府办公室　网站标识码：3300000099　浙ICP备09000099号</p>"
    "<p><a href='/map'>网站地图</a> <a href='/contact'>联系我们</a></p></div>"
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
            "/reader-gbk.html": pageserver.html(READER_REPORT_BODY, title=READER_REPORT_TITLE, charset="gbk"),
            "/reader-chart.png": routes.raw((PAGES / "chart.png").read_bytes(), "image/png"),
            "/spin.html": pageserver.html("<p>忙</p><script>onload = () => { for (;;) {} };</script>", title="忙"),
            "/missing.html": pageserver.html("<h1>404 页面不存在</h1>", title="404 Not Found", status=404),
            "/broken.html": pageserver.html("<h1>服务器内部错误</h1>", title="Error response", status=500),
            "/busy-once.html": pageserver.busy_first(pageserver.html(REPORT_BODY, title=REPORT_TITLE)),
            "/always-busy.html": pageserver.busy_first(pageserver.html(REPORT_BODY, title=REPORT_TITLE), times=99),
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
