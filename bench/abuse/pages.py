"""Pages and files for bench_abuse: Chinese report pages, hostile pages, a hostile bookmark file.

The page server runs in a process of its own on 127.0.0.1, so the bench's client threads never
delay a page the capture browsers are loading. Every report URL is a distinct page (its path
seeds the text), 20–100 KB of headings, paragraphs and tables, like a statistics bulletin.
"""

from __future__ import annotations

import multiprocessing
import random
import select
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = "text/html; charset=utf-8"
HANG_LIMIT = 3600  # s a never-ending response lasts at most, should nobody hang up

CITIES = ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆", "天津", "苏州"]
TOPICS = [
    "国民经济和社会发展统计公报", "财政预算执行情况报告", "工业经济运行分析", "居民收入和消费支出情况",
    "固定资产投资统计快报", "对外贸易进出口情况通报", "农业生产形势分析", "人口变动抽样调查主要数据",
]
SECTIONS = ["综合", "农业", "工业和建筑业", "服务业", "固定资产投资", "国内贸易", "对外经济", "财政金融",
            "居民收入", "教育和科学技术", "文化旅游", "卫生和社会保障", "资源环境", "交通运输"]
SENTENCES = [
    "全年地区生产总值比上年增长百分之五点二，经济运行总体平稳、稳中有进。",
    "规模以上工业增加值增长百分之六点一，高技术制造业增加值增长百分之九点八。",
    "社会消费品零售总额保持增长，网上零售额占比进一步提高。",
    "城镇新增就业人数完成年度目标，城镇调查失业率总体稳定。",
    "一般公共预算收入同比增长，其中税收收入占比百分之七十八点三。",
    "全体居民人均可支配收入实际增长百分之五点一，农村居民收入增速快于城镇居民。",
    "货物进出口总额创历史新高，民营企业进出口比重继续上升。",
    "粮食总产量稳定在较高水平，设施农业面积稳步扩大。",
    "年末常住人口比上年末有所增加，城镇化率提高零点八个百分点。",
    "单位地区生产总值能耗下降，空气质量优良天数比例继续提高。",
]
COLUMNS = ["指标", "单位", "绝对数", "比上年增长（%）", "占比（%）", "上年数", "计划完成率（%）"]
STYLE = (
    "body{font-family:sans-serif;max-width:960px;margin:auto;line-height:1.7;color:#222}"
    "table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #999;padding:4px 8px}"
    "th{background:#e8eef6}td.n{text-align:right}caption{font-weight:bold}h2{border-bottom:2px solid #06c}"
)


def report_page(key: str, marker: str = "") -> bytes:
    """A distinct statistics bulletin of 20–100 KB for `key`; `marker` goes into title and text."""
    rng = random.Random(key)
    city, topic, year = rng.choice(CITIES), rng.choice(TOPICS), rng.randint(2015, 2024)
    title = f"{city}{year}年{topic}{marker}（{key[-12:]}）"
    target = rng.randint(20_000, 100_000)
    head = (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta name='description' content='{city}统计局发布{year}年{topic}。{marker}'>"
        f"<style>{STYLE}</style></head><body><header><p>{city}市统计局　发布时间：{year + 1}年3月18日</p></header>"
        f"<main><h1>{title}</h1>"
    )
    parts, size, number = [head], len(head.encode()), 0
    while size < target:
        number += 1
        rows = "".join(
            f"<tr><td>{rng.choice(SECTIONS)}{i + 1}</td><td>亿元</td>"
            + "".join(f"<td class='n'>{rng.uniform(-20, 9999):,.2f}</td>" for _ in COLUMNS[2:])
            + "</tr>"
            for i in range(rng.randint(8, 30))
        )
        text = "".join(f"<p>{''.join(rng.choices(SENTENCES, k=rng.randint(3, 7)))}</p>" for _ in range(3))
        part = (
            f"<h2>{number}、{rng.choice(SECTIONS)}</h2>{text}<table><caption>表{number}　{city}{year}年"
            f"{rng.choice(SECTIONS)}主要指标</caption><thead><tr>{''.join(f'<th>{c}</th>' for c in COLUMNS)}"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
        parts.append(part)
        size += len(part.encode())
    parts.append(f"<p>{marker}</p></main><footer>{city}市统计局</footer></body></html>")
    return "".join(parts).encode()


# Five pages that never finish loading, and two that spin the CPU.
NEVER_ENDING = ["/endless/stream", "/endless/drip", "/endless/no-headers", "/endless/hung-image", "/endless/busy"]
SPINNING = ["/spin/inline", "/spin/after-load"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = self.path.split("?", 1)[0]
        try:
            if path.startswith("/r/"):
                self._reply(report_page(self.path, marker=self.path.split("/")[2]))
            elif path in HANGING:
                HANGING[path](self)
            elif path in PAGES:
                self._reply(PAGES[path].replace("{q}", self.path.partition("?")[2]).encode())
            else:
                self._reply(b"<h1>not found</h1>", status=404)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _reply(self, body: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _start(self, content_type: str = HTML) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.write("<!DOCTYPE html><html><head><meta charset='utf-8'><title>正在加载</title></head>"
                         "<body><h1>报告正在加载</h1>".encode() if content_type == HTML else b"GIF89a")
        self.wfile.flush()

    def _hang(self, chunk: bytes, every: float) -> None:
        """Send `chunk` every `every` s (nothing when empty) until the client hangs up."""
        ends = time.monotonic() + HANG_LIMIT
        while time.monotonic() < ends:
            if select.select([self.connection], [], [], every)[0] and self._closed():
                return
            if chunk:
                self.wfile.write(chunk)
                self.wfile.flush()

    def _closed(self) -> bool:
        """Readable with no data means the client hung up (anything it sent is dropped)."""
        try:
            return self.connection.recv(4096, socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet
        return


def _stream(handler: Handler) -> None:
    handler._start()
    handler._hang("<p>数据加载中……</p>\n".encode() + b" " * 512, 0.2)


def _drip(handler: Handler) -> None:
    handler._start()
    handler._hang(b".", 1.0)


def _no_headers(handler: Handler) -> None:
    handler._hang(b"", 1.0)


def _hung_image(handler: Handler) -> None:
    handler._start("image/gif")
    handler._hang(b"", 1.0)


HANGING = {
    "/endless/stream": _stream,
    "/endless/drip": _drip,
    "/endless/no-headers": _no_headers,
    "/endless/img": _hung_image,
}
PAGES = {
    "/endless/hung-image": "<!DOCTYPE html><meta charset='utf-8'><title>图片加载中</title><h1>报告</h1>"
    "<img src='/endless/img?{q}' width='400' height='300'>",
    "/endless/busy": "<!DOCTYPE html><meta charset='utf-8'><title>持续请求</title><h1>实时数据</h1><script>"
    "let i = 0; setInterval(() => { const im = new Image(); im.src = '/endless/img?{q}-' + (i++);"
    " document.body.appendChild(im); fetch('/endless/stream?{q}-' + i).catch(() => 0); }, 300);</script>",
    "/spin/inline": "<!DOCTYPE html><meta charset='utf-8'><title>计算中</title><h1>报告</h1><p>正文</p>"
    "<script>while (true) {}</script>",
    "/spin/after-load": "<!DOCTYPE html><meta charset='utf-8'><title>计算中</title><h1>报告</h1><p>正文</p>"
    "<script>addEventListener('load', () => setTimeout(() => { while (true) {} }, 10));</script>",
}


def _serve(conn) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    conn.send(server.server_address[1])
    server.serve_forever()


class PageServer:
    """The page server in a child process; `origin` is what CAPTURE_ALLOWED_ORIGINS must allow."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name="bench-pages", daemon=True)

    def start(self) -> PageServer:
        self._process.start()
        self.origin = f"http://127.0.0.1:{self._parent.recv()}"
        self.pid = self._process.pid
        return self

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def bookmark_file(size: int, origin: str) -> tuple[bytes, int]:
    """A Netscape bookmark file of about `size` bytes with long fields; returns (file, links).

    Most entries are ordinary with long titles, descriptions and tag lists; a few are hostile:
    titles and descriptions of megabytes sprinkled with a bare "<" (a parser that grows strings
    piece by piece is quadratic on them), a tag list of a hundred thousand names, a URL of
    100 KB and a folder name of 64 KB (every folder becomes a tag of the links inside).
    """
    rng = random.Random(size)
    scale = size / (50 * 2**20)
    monsters = [
        f'<DT><A HREF="{origin}/r/imp-title">{"收入 < 支出，" * int(60_000 * scale)}</A>\n',
        f'<DT><A HREF="{origin}/r/imp-desc">长说明</A>\n<DD>{"比上年 < 百分之五；" * int(80_000 * scale)}\n',
        f'<DT><A HREF="{origin}/r/imp-tags" TAGS="{",".join(f"标签{i}" for i in range(int(100_000 * scale)))}">'
        "很多标签</A>\n",
        f'<DT><A HREF="{origin}/r/imp-url?{"q" * int(100_000 * scale)}">长网址</A>\n',
        f'<DT><H3>{"目录名" * int(7_000 * scale)}</H3>\n<DL><p>\n<DT><A HREF="{origin}/r/imp-folder">在长目录里</A>\n'
        "</DL><p>\n",
    ]
    head = (
        b'<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
        b"<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n"
    )
    parts, total, links = [head], len(head), 0
    every = max(1, int(19_000 * scale) // len(monsters))
    while total < size:
        if links % every == 0 and links // every < len(monsters):
            entry = monsters[links // every]
        else:
            title = "".join(rng.choices(SENTENCES, k=4))
            tags = ",".join(rng.sample(SECTIONS, 8))
            entry = (
                f'<DT><A HREF="{origin}/r/imp-{links}" ADD_DATE="{1_600_000_000 + links}" TAGS="{tags}">'
                f"{title}</A>\n<DD>{''.join(rng.choices(SENTENCES, k=20))}\n"
            )
        data = entry.encode()
        parts.append(data)
        total += len(data)
        links += 1
    parts.append(b"</DL><p>\n")
    return b"".join(parts), links
