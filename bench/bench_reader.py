"""Which main-content extractor keeps a reader's text: Mozilla Readability against trafilatura.

  .venv/bin/python bench/bench_reader.py            # score both extractors on every page
  .venv/bin/python bench/bench_reader.py --mark     # (re)write the expected-text sidecars

The pages in bench/reader_pages/ are built like the sites they stand for (government reports
with numeric tables, two of them GBK; news, blogs, WeChat-style articles, forum threads, Q&A,
English long reads, a page buried in navigation and footer links). Their main text was marked
by hand in the page, between `<!-- main -->` and `<!-- /main -->` (comments, which neither
extractor reads), and `--mark` turns the marks into `NAME.expected.txt` once, before any
extractor runs. Pages named `t…` were used to tune (Readability's character threshold); pages
named `h…` were held out and are reported apart.

Both extractors see the same document: each page is loaded in headless Chromium from a local
server; Readability runs in an isolated world of that page (as at capture), trafilatura gets
the rendered DOM. Both outputs go through the same sanitiser and the same text conversion,
and are scored against the expected text as bags of tokens (one token per CJK character, one
per Latin word or number): precision, recall, F1. "tables" counts pages whose marked main text
holds a table and whose extraction kept one as a table. Times are per page, extraction only.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.server
import re
import statistics
import sys
import threading
import time
from collections import Counter
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from capture.page import top_frame_id  # noqa: E402
from capture.reader import document, inpage  # noqa: E402

PAGES = Path(__file__).resolve().parent / "reader_pages"
_MARKED = re.compile(r"<!-- main -->(.*?)<!-- /main -->", re.DOTALL)
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _decoded(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _is_chinese(stem: str) -> bool:
    return bool(_CJK.search(PAGES.joinpath(stem + ".expected.txt").read_text(encoding="utf-8")))


def mark() -> None:
    for page in sorted(PAGES.glob("*.html")):
        marked = "\n".join(_MARKED.findall(_decoded(page)))
        expected = document.text_of(marked)
        page.with_suffix(".expected.txt").write_text(expected + "\n", encoding="utf-8")
        print(f"{page.name}: {len(expected)} characters marked")


def tokens(text: str) -> Counter:
    return Counter(token.casefold() for token in _TOKEN.findall(text))


def score(expected: str, got: str) -> tuple[float, float, float]:
    want, have = tokens(expected), tokens(got)
    common = sum((want & have).values())
    precision = common / max(1, sum(have.values()))
    recall = common / max(1, sum(want.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _server() -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(PAGES)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def _no_images(url: str) -> None:
    return None


def by_readability(driver) -> str:
    article = inpage.extract(driver, 10.0, top_frame_id(driver))
    return document.sanitise(article.content, article.url, _no_images) if article else ""


def by_trafilatura(driver) -> str:
    import trafilatura

    dom = driver.execute_script("return document.documentElement.outerHTML")
    found = trafilatura.extract(dom, url=driver.current_url, output_format="html", include_tables=True,
                                include_images=True, include_links=False, include_comments=False)
    return document.sanitise(found or "", driver.current_url, _no_images)


EXTRACTORS = {"readability": by_readability, "trafilatura": by_trafilatura}


def run() -> None:
    server, base = _server()
    driver = _browser()
    rows: dict[str, list[tuple[str, float, float, float, float, bool | None]]] = {name: [] for name in EXTRACTORS}
    try:
        for page in sorted(PAGES.glob("*.html")):
            expected = page.with_suffix(".expected.txt").read_text(encoding="utf-8")
            has_table = "<table" in "".join(_MARKED.findall(_decoded(page)))
            driver.get(f"{base}/{page.name}")
            for name, extractor in EXTRACTORS.items():
                started = time.perf_counter()
                markup = extractor(driver)
                took = time.perf_counter() - started
                p, r, f = score(expected, document.text_of(markup))
                kept = ("<table" in markup) if has_table else None
                rows[name].append((page.stem, p, r, f, took, kept))
    finally:
        driver.quit()
        server.shutdown()
    for name, results in rows.items():
        print(f"\n== {name}")
        print(f"{'page':28} {'prec':>6} {'recall':>6} {'F1':>6} {'ms':>7} table")
        for stem, p, r, f, took, kept in results:
            table = "" if kept is None else ("kept" if kept else "LOST")
            print(f"{stem:28} {p:6.3f} {r:6.3f} {f:6.3f} {took * 1000:7.1f} {table}")
        for label, prefix in (("tuning", "t"), ("held out", "h"), ("all", "")):
            part = [row for row in results if row[0].startswith(prefix)]
            tables = [row[5] for row in part if row[5] is not None]
            print(f"mean {label:9} ({len(part):2} pages): precision {statistics.mean(r[1] for r in part):.3f}  "
                  f"recall {statistics.mean(r[2] for r in part):.3f}  F1 {statistics.mean(r[3] for r in part):.3f}  "
                  f"time {statistics.mean(r[4] for r in part) * 1000:.1f} ms/page  "
                  f"tables kept {sum(tables)}/{len(tables)}")
        for label, chinese in (("Chinese", True), ("English", False)):
            part = [row for row in results if _is_chinese(row[0]) == chinese]
            print(f"mean {label:9} ({len(part):2} pages): F1 {statistics.mean(r[3] for r in part):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mark", action="store_true", help="write the expected-text sidecars from the marks")
    if parser.parse_args().mark:
        mark()
    else:
        run()


if __name__ == "__main__":
    main()
