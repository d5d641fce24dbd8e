"""The API's reference page: Redoc reading /api/schema/, every file served from this site.

Redoc's script comes from drf-spectacular-sidecar (pinned in requirements.txt), never a CDN, and
the page's own template leaves out the web fonts the stock one loads from Google. The page runs
no inline script (`<redoc spec-url>` starts it), but Redoc writes its styles into <style>
elements and builds its search worker from a blob: URL, so its policy allows exactly those two
beyond `'self'`. Redoc also shows its maker's logo from their CDN: the policy's
`img-src` refuses it, and Redoc hides the empty image.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework.request import Request
from rest_framework.response import Response

DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


class ApiDocsView(SpectacularRedocView):
    template_name = "api/redoc.html"
    url_name = "api_schema"
    permission_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response
