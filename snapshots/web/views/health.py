from __future__ import annotations

import hmac

import redis
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from snapshots.metrics import SiteCollector


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; Redis being down is reported, not fatal (captures wait)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db = "ok"
    except Exception:  # any database error means "down" to an operator
        db = "down"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        broker = "ok"
    except redis.RedisError:
        broker = "down"
    return JsonResponse({"db": db, "redis": broker}, status=200 if db == "ok" else 503)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus figures for whoever sends `Authorization: Bearer METRICS_TOKEN`; absent when unset."""
    if not settings.METRICS_TOKEN:
        raise Http404
    given = request.headers.get("Authorization", "").encode()
    if not hmac.compare_digest(given, f"Bearer {settings.METRICS_TOKEN}".encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SiteCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
