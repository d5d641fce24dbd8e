"""Dynamic test pages: charsets, hostile behaviour, and every way a page may try to reach a
forbidden address. `forbidden` is the origin (on 127.0.0.1) that must never receive a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.pages.server import PAGES, Handler

HTML = "text/html; charset=utf-8"
Reply = tuple[int, dict[str, str], bytes]


def html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Callable[[Handler], Reply]:
    return lambda _h: (status, {"Content-Type": HTML, **(headers or {})}, body.encode("utf-8"))


def raw(data: bytes, content_type: str, status: int = 200) -> Callable[[Handler], Reply]:
    return lambda _h: (status, {"Content-Type": content_type}, data)


def _gbk(meta: bool) -> bytes:
    text = (PAGES / "report_gbk.html").read_bytes()
    return text if meta else text.replace(b'<meta charset="gbk">\n', b"")


def _big5(meta: bool) -> bytes:
    text = (PAGES / "report_big5.html").read_bytes()
    return text if meta else text.replace(b'<meta charset="big5">\n', b"")


def minimal_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF with real text (Helvetica), so text extraction can be checked."""
    stream = "BT /F1 18 Tf 72 720 Td 24 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _endless(handler: Handler) -> None:
    """Headers and a visible start, then a trickle that never ends (until the client leaves)."""
    handler.send_response(200)
    handler.send_header("Content-Type", HTML)
    handler.end_headers()
    handler.wfile.write("<!DOCTYPE html><title>无尽加载</title><h1>正在加载的页面</h1>".encode())
    handler.wfile.flush()
    ends = time.monotonic() + 60
    while time.monotonic() < ends:
        handler.wfile.write(b"<p>.</p>\n" + b" " * 1024)
        handler.wfile.flush()
        time.sleep(0.2)


def _big(_h: Handler) -> Reply:
    paragraph = ("<p>" + "统计数据第一季度增长百分之五点二。" * 20 + "</p>\n").encode()
    count = 20 * 1024 * 1024 // len(paragraph) + 1
    return 200, {"Content-Type": HTML}, b"<!DOCTYPE html><title>big</title>" + paragraph * count


def _redirect(location: str) -> Callable[[Handler], Reply]:
    return lambda _h: (302, {"Location": location, "Content-Type": HTML}, b"moved")


def forbidden_routes(forbidden: str, forbidden_port: int) -> dict[str, Callable]:
    """Pages that try to reach `forbidden` in every way a browser allows."""
    spellings = [
        "http://2130706433", "http://0177.0.0.1", "http://0x7f.0.0.1", "http://0x7f000001", "http://127.1",
        "http://0.0.0.0", "http://[::ffff:127.0.0.1]", "http://[::1]", "http://localhost", "http://x.localhost",
        "http://rebind.test",
    ]
    imgs = "".join(f'<img src="{s}:{forbidden_port}/img?{i}">' for i, s in enumerate(spellings))
    sw = f"self.addEventListener('install', e => e.waitUntil(fetch('{forbidden}/sw-fetch').catch(() => 0)));"
    return {
        "/bypass/img": html(f"<title>img</title><img src='{forbidden}/img'>{imgs}"),
        "/bypass/iframe": html(f"<title>iframe</title><iframe src='{forbidden}/frame'></iframe>"),
        "/bypass/css": html(
            f"<title>css</title><div style=\"height:50px;background:url('{forbidden}/bg.png')\">x</div>"
        ),
        "/bypass/font": html(
            f"<title>font</title><style>@font-face{{font-family:evil;src:url('{forbidden}/f.woff2')}}"
            "body{font-family:evil}</style><p>font</p>"
        ),
        "/bypass/fetch": html(
            f"<title>fetch</title><script>fetch('{forbidden}/fetch').catch(() => 0);"
            f"const x = new XMLHttpRequest(); x.open('GET', '{forbidden}/xhr'); x.send();"
            f"navigator.sendBeacon && navigator.sendBeacon('{forbidden}/beacon', 'x');</script>"
        ),
        "/bypass/ws": html(
            f"<title>ws</title><script>try {{ new WebSocket('ws://127.0.0.1:{forbidden_port}/ws'); }}"
            "catch (e) {}</script>"
        ),
        "/bypass/sw": html(
            "<title>sw</title><script>navigator.serviceWorker && "
            "navigator.serviceWorker.register('/bypass/sw.js').catch(() => 0);</script>"
        ),
        "/bypass/sw.js": lambda _h: (200, {"Content-Type": "text/javascript"}, sw.encode()),
        "/bypass/open": html(f"<title>open</title><script>window.open('{forbidden}/popup');</script>"),
        "/bypass/redirect": _redirect(f"{forbidden}/redirected"),
        "/bypass/refresh": html(f"<meta http-equiv='refresh' content='0;url={forbidden}/refresh'><title>r</title>"),
        "/bypass/jsnav": html(f"<title>js</title><script>location.href = '{forbidden}/jsnav';</script>"),
        "/bypass/link-prefetch": html(
            f"<title>prefetch</title><link rel='prefetch' href='{forbidden}/prefetch'>"
            f"<link rel='preconnect' href='{forbidden}'><link rel='dns-prefetch' href='{forbidden}'>"
        ),
    }


def hostile_routes() -> dict[str, Callable]:
    tall = "<div style='height:200000px;background:linear-gradient(#fff,#06c)'>顶部内容</div>"
    return {
        "/gbk-header": lambda _h: (200, {"Content-Type": "text/html; charset=gbk"}, _gbk(meta=False)),
        "/gbk-meta": raw(_gbk(meta=True), "text/html"),
        "/gbk-none": raw(_gbk(meta=False), "text/html"),
        "/big5-header": lambda _h: (200, {"Content-Type": "text/html; charset=big5"}, _big5(meta=False)),
        "/big5-meta": raw(_big5(meta=True), "text/html"),
        "/alerts": html(
            "<title>alerts</title><script>for (let i = 0; i < 200; i++) { alert(i); confirm(i); prompt(i); }"
            "setInterval(() => alert('again'), 5);</script><p>对话框</p>"
        ),
        "/popups": html(
            "<title>popups</title><script>for (let i = 0; i < 500; i++) window.open('/report.html?' + i);"
            "</script><p>弹窗</p>"
        ),
        "/beforeunload": html(
            "<title>stay</title><script>window.onbeforeunload = e => 'stay';"
            "addEventListener('beforeunload', e => { e.preventDefault(); e.returnValue = 'stay'; });</script>"
            "<p>离开提示</p>"
        ),
        "/endless": _endless,
        "/big": _big,
        "/heavy": html("<title>heavy</title><link rel='stylesheet' href='/heavy.css'><p>正文在前</p>"),
        "/heavy.css": lambda _h: (200, {"Content-Type": "text/css"}, b"/*" + b" " * 20 * 1024 * 1024 + b"*/"),
        "/tall": html(f"<title>tall</title>{tall}"),
        "/lazy": html(
            "<title>lazy</title><div style='height:3000px'>top</div>"
            "<img id='native' loading='lazy' src='/chart.png' width='480' height='240'>"
            "<div style='height:3000px'>middle</div>"
            "<img id='scripted' class='lazy' data-src='/chart.png' width='480' height='240'>"
            "<script>new IntersectionObserver((entries, obs) => entries.forEach(e => {"
            " if (e.isIntersecting) { e.target.src = e.target.dataset.src; obs.unobserve(e.target); } }))"
            ".observe(document.getElementById('scripted'));</script>"
        ),
        "/download": lambda _h: (
            200,
            {"Content-Type": "application/octet-stream", "Content-Disposition": "attachment; filename=evil.bin"},
            b"MZ" + b"\0" * 4096,
        ),
        "/redirect-loop": _redirect("/redirect-loop"),
        "/missing": html("<title>没有找到</title><h1>404 页面不存在</h1>", status=404),
        "/broken": html("<title>服务器错误</title><h1>500</h1>", status=500),
        "/emoji-title": html("<title>🎉 统计公报 👨‍👩‍👧 🇨🇳</title><p>emoji</p>"),
        "/long-title": html("<title>" + "长" * 2999 + "🇨🇳</title><p>long</p>"),
        "/doc.pdf": raw(minimal_pdf(["Annual statistics report 2024", "GDP 12345.67"]), "application/pdf"),
        "/kitchen": html(
            "<!DOCTYPE html><html><head><title>kitchen</title><base href='/'>"
            "<meta http-equiv='refresh' content='3600;url=/report.html'>"
            "<script>document.title = 'changed by script';</script></head>"
            "<body onload=\"document.body.dataset.x = 1\">"
            "<a id='js' href='javascript:alert(1)'>js link</a><a id='ok' href='/report.html'>ok</a>"
            "<img src='/chart.png' onerror='alert(1)' onload='this.dataset.y = 1' id='pic'>"
            "<form action='http://example.invalid/steal' method='post'><input name='q'></form>"
            "<iframe srcdoc='<script>parent.alert(1)</script>'></iframe>"
            "<svg width='10' height='10' onload='alert(1)'><script>alert(1)</script>"
            "<rect width='10' height='10'/></svg>"
            "<div onclick='alert(1)' style=\"background:url('/stripe.png')\">div</div>"
            "<p>正文内容</p></body></html>"
        ),
    }
