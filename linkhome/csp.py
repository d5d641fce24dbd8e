"""The Content-Security-Policy of the site's own pages: django-csp's middleware, for HTML only.

The policy itself is CONTENT_SECURITY_POLICY in settings (django-csp's format): scripts and
styles from this site only, so no inline script, inline handler or `javascript:` URL of ours
runs. Two of its sources depend on where artifacts are served, and are added per response:

- SNAPSHOT_HOST, when set, serves every artifact (the viewer's iframe, screenshots, thumbnails
  and site icons): `frame-src` and `img-src` name it, without a scheme so that it follows the
  page's own (https pages may only reach it over https).
- A bucket's presigned URLs, when images come straight from it (snapshots.storage.serving):
  `img-src` names the origin those URLs point at, learnt from the storage itself (path or
  virtual-host addressing, any S3-compatible endpoint) rather than rebuilt from the settings.

Only `text/html` responses get the header: an artifact streamed by snapshots.storage.serving
sets its own sandboxing policy, which django-csp never replaces (it leaves a response that has
one alone), and a PDF must have none at all, since Chromium's PDF viewer is a plugin that
`object-src 'none'` would refuse. JSON, feeds and files run no script anyway.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.files.storage import storages
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# (the storage instance, its origin): storages are rebuilt when STORAGES changes, and so is this.
_bucket_origin: tuple[object, str] = (None, "")


def bucket_origin() -> str:
    """The scheme and host presigned URLs of the default storage point at, or "" without a bucket.

    Presigning happens locally (no request to the bucket); it is done once per storage instance.
    """
    global _bucket_origin
    storage = storages["default"]
    if _bucket_origin[0] is storage:
        return _bucket_origin[1]
    origin = ""
    if hasattr(storage, "bucket_name"):
        try:
            parts = urlsplit(storage.url("csp-origin-probe"))
            origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        except Exception:  # noqa: BLE001 - no credentials yet: images then stay on our origin only
            origin = ""
    _bucket_origin = (storage, origin)
    return origin


def artifact_sources() -> dict[str, list[str]]:
    """What the site policy adds so that archived copies and images load from where they are served."""
    if settings.SNAPSHOT_HOST:
        # Artifacts never leave through a bucket redirect then (serving._may_redirect).
        return {"frame-src": [settings.SNAPSHOT_HOST], "img-src": [settings.SNAPSHOT_HOST]}
    origin = bucket_origin()
    return {"img-src": [origin]} if origin else {}


class HtmlCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, sending the site policy on HTML responses only (see above)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            # The artifact sources, and a view's own @csp_update (the reader page's data: images).
            update = {name: list(values) for name, values in artifact_sources().items()}
            for name, values in (parts.update or {}).items():
                update.setdefault(name, []).extend([values] if isinstance(values, str) else values)
            parts.update = update
        return parts
