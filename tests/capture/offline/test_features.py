"""What the reader saw survives in the offline copy: fonts, shadow DOM, frames, canvas, media,
SVG sprites, form controls, responsive and lazy images, CSSOM rules, and nothing is fetched."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from capture import reasons, recorder
from capture.engine import capture
from capture.reasons import Reason
from tests.capture.offline.render import in_frames, open_copy
from tests.pages.server import FixtureServer


def _copy(pages, config, path: str) -> str:
    result = capture(pages.url(path), config)
    assert result.ok, result.error
    return result.artifacts["html"].data.decode("utf-8")


@pytest.fixture(scope="module")
def other_origin():
    """A second origin on 127.0.0.1 for cross-origin frames and a tainted canvas."""
    server = FixtureServer().start()
    yield server
    server.stop()


def test_web_fonts_with_unicode_range_and_icon_fonts_are_inlined_and_used(pages, config):
    html = _copy(pages, config, "/offline/fonts.html")
    assert re.search(r"@font-face\s*\{[^}]*LH Test[^}]*url\(\"data:font/woff;base64,", html)
    assert re.search(r"@font-face\s*\{[^}]*LH Icons[^}]*url\(\"data:font/ttf;base64,", html)
    assert "unicode-range" in html and "--accent" in html
    loaded, requests = open_copy(html.encode(), config, (
        "return {fonts: Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family),"
        " color: getComputedStyle(document.getElementById('heading')).color};"
    ))
    assert {"LH Test", "LH Icons"} <= set(loaded["fonts"]), loaded
    assert loaded["color"] == "rgb(200, 30, 60)"  # the custom property still resolves
    assert requests == 0


def test_open_shadow_roots_become_declarative_shadow_dom(pages, config):
    html = _copy(pages, config, "/offline/shadow.html")
    assert html.count('<template shadowrootmode="open">') == 2
    assert re.search(r'<lh-card><template shadowrootmode="open"><style>.inside', html)
    shown, requests = open_copy(html.encode(), config, (
        "const root = document.querySelector('lh-card').shadowRoot;"
        "return {text: root.querySelector('.inside').textContent,"
        " color: getComputedStyle(root.querySelector('.inside')).color,"
        " nested: root.querySelector('inner-part').shadowRoot.textContent,"
        " slotted: root.querySelector('slot').assignedNodes().map(n => n.textContent)};"
    ))
    assert shown == {"text": "Shadow text inside", "color": "rgb(0, 128, 0)", "nested": "Nested shadow text",
                     "slotted": ["Slotted title"]}
    assert requests == 0


def test_frames_of_any_origin_and_nesting_become_sandboxed_srcdoc(pages, config, other_origin):
    pages.routes["/offline/frames"] = lambda _h: (200, {"Content-Type": "text/html; charset=utf-8"}, (
        "<!DOCTYPE html><title>frames</title><p>Top text</p>"
        "<iframe src='/offline/frame-child.html' width='300' height='200'></iframe>"
        f"<iframe src='{other_origin.url('/offline/frame-grandchild.html')}' width='300' height='120'></iframe>"
    ).encode())
    both = replace(config, allowed_origins=(pages.origin, other_origin.origin))
    html = _copy(pages, both, "/offline/frames")
    assert html.count('<iframe sandbox=""') == 2 and html.count("&lt;iframe sandbox=&quot;&quot;") == 1  # one nested
    assert html.count("Content-Security-Policy") == 4  # the copy and each of its three frames
    texts = in_frames(html.encode(), both, "return document.body.innerText")
    assert any("Same origin frame text" in t for t in texts)
    assert sum("Nested frame text" in t for t in texts) == 2  # nested same-origin, and cross-origin
    widths = in_frames(html.encode(), both, "return Array.from(document.images).map(i => i.naturalWidth)")
    assert [w for ws in widths for w in ws] and all(w > 0 for ws in widths for w in ws)


def test_canvas_is_kept_as_an_image_of_its_pixels(pages, config, other_origin):
    html = _copy(pages, config, "/offline/canvas.html")
    assert re.search(r'<img[^>]*id="drawn"[^>]*src="data:image/png;base64,', html) or \
        re.search(r'<img[^>]*src="data:image/png;base64,[^"]*"[^>]*id="drawn"', html)
    pixel, requests = open_copy(html.encode(), config, (
        "const img = document.getElementById('drawn'); const c = document.createElement('canvas');"
        "c.width = img.naturalWidth; c.height = img.naturalHeight; const g = c.getContext('2d');"
        "g.drawImage(img, 0, 0); return [img.naturalWidth, Array.from(g.getImageData(5, 5, 1, 1).data)];"
    ))
    assert pixel == [120, [255, 0, 0, 255]]
    assert requests == 0


def test_tainted_canvas_keeps_its_box(pages, config, other_origin):
    pages.routes["/offline/tainted"] = lambda _h: (200, {"Content-Type": "text/html; charset=utf-8"}, (
        "<!DOCTYPE html><title>tainted</title><canvas id='t' width='90' height='45'></canvas>"
        "<script>const i = new Image(); i.onload = () => {"
        " const c = document.getElementById('t'); c.getContext('2d').drawImage(i, 0, 0);"
        " try { c.toDataURL(); } catch (e) { document.title = 'tainted'; } };"
        f" i.src = '{other_origin.url('/chart.png')}';</script>"
    ).encode())
    both = replace(config, allowed_origins=(pages.origin, other_origin.origin))
    result = capture(pages.url("/offline/tainted"), both)
    assert result.title == "tainted"  # the page itself could not read its canvas either
    box = re.search(r'<img[^>]*id="t"[^>]*>', result.artifacts["html"].data.decode()).group(0)
    assert 'width="90"' in box and 'height="45"' in box and "src=" not in box


def test_video_poster_and_audio_are_kept(pages, config):
    html = _copy(pages, config, "/offline/media.html")
    assert re.search(r'<video[^>]*poster="data:image/png;base64,', html)
    assert "<audio controls" in html and "none.mp4" not in html and "none.mp3" not in html


def test_svg_use_resolves_inline_and_external_sprites(pages, config):
    html = _copy(pages, config, "/offline/svg.html")
    sizes, requests = open_copy(html.encode(), config, (
        "const imgs = Array.from(document.querySelectorAll('img.inline, img.external'));"
        "return imgs.map(img => { const c = document.createElement('canvas'); c.width = 40; c.height = 40;"
        " const g = c.getContext('2d'); g.drawImage(img, 0, 0, 40, 40);"
        " return Array.from(g.getImageData(20, 20, 1, 1).data); });"
    ))
    assert sizes[0][3] == 255, "the inline sprite's circle is drawn"
    assert sizes[1] == [0, 0, 255, 255], "the external sprite's square is drawn"
    assert requests == 0


def test_form_controls_stay_visible_and_inert(pages, config):
    html = _copy(pages, config, "/offline/forms.html")
    assert "<form>" in html  # kept for rules such as "form .row", with nothing to send or send to
    assert "action=" not in html and "method=" not in html and "/offline/submitted" not in html
    assert '<button id="send" type="button">Send it</button>' in html
    assert re.search(r'<input id="name" type="text" value="typed by reader">', html)
    assert re.search(r'<input id="agree" type="checkbox" checked', html)
    assert "<option selected" in html and ">a note</textarea>" in html
    assert '<input type="button" value="Go">' in html
    shown, requests = open_copy(html.encode(), config, (
        "return [document.getElementById('send').getBoundingClientRect().width > 0,"
        " document.getElementById('pick').value, document.getElementById('agree').checked];"
    ))
    assert shown == [True, "two", True]
    assert requests == 0


def test_images_cssom_rules_backgrounds_and_base_href(pages, config):
    html = _copy(pages, config, "/offline/images.html")
    assert 'href="' + pages.url("/offline/deeper/page.html") + '"' in html  # resolved against <base>
    assert "<base" not in html
    shown, requests = open_copy(html.encode(), config, (
        "const styled = getComputedStyle(document.getElementById('styled'));"
        "return {pic: document.getElementById('pic').currentSrc.slice(0, 22),"
        " picWidth: document.getElementById('pic').naturalWidth,"
        " sized: document.getElementById('sized').getBoundingClientRect().width,"
        " bg: getComputedStyle(document.getElementById('bg')).backgroundImage.slice(0, 26),"
        " color: styled.color, line: styled.textDecorationLine};"
    ))
    assert shown["pic"] == "data:image/png;base64,"
    assert shown["picWidth"] > 0 and shown["sized"] == 240
    # Only the candidates the browser chose are kept: the stripe for <picture>, the chart for #sized.
    assert html.count("data:image/png;base64,") == 3 and "<source" not in html and 'sizes="240px"' in html
    assert shown["bg"] == 'url("data:image/png;base64'
    assert shown["color"] == "rgb(1, 2, 3)" and shown["line"] == "underline"
    assert requests == 0


def test_lazy_images_named_by_data_src_are_inlined(pages, config):
    html = _copy(pages, config, "/lazy")
    assert re.search(r'<img id="scripted"[^>]*src="data:image/png;base64,', html)
    assert re.search(r'<img id="native"[^>]*src="data:image/png;base64,', html)


def test_a_copy_over_its_byte_budget_leaves_resources_out_and_says_so(pages, config):
    small = replace(config, limits=replace(config.limits, offline_max_bytes=16 * 1024))
    result = capture(pages.url("/offline/fonts.html"), small)
    assert result.ok, result.error
    html = result.artifacts["html"].data.decode("utf-8")
    assert html.count("data:font/") == 1  # the first font fits in 16 KiB, the second does not
    assert Reason(reasons.OFFLINE_COPY_TRIMMED, {"count": 1, "mb": 1}) in result.notes


def test_a_frame_of_another_site_comes_from_the_mhtml(pages, config, other_origin):
    """Another site's frame runs in another renderer process (site isolation), out of reach of the
    page's DevTools session: its document is the MHTML's part for that frame."""
    site = f"http://rebind.test:{other_origin.port}"  # the suite's DNS server answers 127.0.0.1
    pages.routes["/offline/other-site"] = lambda _h: (200, {"Content-Type": "text/html; charset=utf-8"}, (
        f"<!DOCTYPE html><title>other site</title><iframe src='{site}/offline/frame-grandchild.html'></iframe>"
    ).encode())
    both = replace(config, allowed_origins=(pages.origin, site))
    html = _copy(pages, both, "/offline/other-site")
    assert html.count('<iframe sandbox=""') == 1
    texts = in_frames(html.encode(), both, "return document.body.innerText")
    assert texts[1].strip() == "Nested frame text"
    widths = in_frames(html.encode(), both, "return Array.from(document.images).map(i => i.naturalWidth)")
    assert widths[1] and all(w > 0 for w in widths[1])


def test_a_huge_document_is_copied_from_the_mhtml_alone(pages, config, monkeypatch):
    monkeypatch.setattr(recorder, "SERIALISE_MAX_CHARS", 1000)  # the report's DOM is larger
    html = _copy(pages, config, "/report.html")
    assert "地区生产总值" in html and "<script" not in html.lower()
    shown, requests = open_copy(html.encode(), config, (
        "return {widths: Array.from(document.images).map(i => i.naturalWidth),"
        " bg: getComputedStyle(document.querySelector('.masthead')).backgroundImage.slice(0, 26)};"
    ))
    assert shown["widths"] and all(w > 0 for w in shown["widths"])
    assert shown["bg"] == 'url("data:image/png;base64'
    assert requests == 0


def test_a_stylesheet_the_page_cannot_read_comes_from_the_mhtml(pages, config, other_origin):
    """Another origin's stylesheet hides its rules from scripts (no CORS): its text is the MHTML's."""
    pages.routes["/offline/foreign-css"] = lambda _h: (200, {"Content-Type": "text/html; charset=utf-8"}, (
        f"<!DOCTYPE html><title>foreign css</title><link rel='stylesheet' href='{other_origin.url('/report.css')}'>"
        "<div class='masthead'>masthead</div>"
    ).encode())
    both = replace(config, allowed_origins=(pages.origin, other_origin.origin))
    html = _copy(pages, both, "/offline/foreign-css")
    assert "data-href" not in html and other_origin.origin not in html
    shown, requests = open_copy(html.encode(), both, (
        "return getComputedStyle(document.querySelector('.masthead')).backgroundImage.slice(0, 26);"
    ))
    assert shown == 'url("data:image/png;base64'
    assert requests == 0
