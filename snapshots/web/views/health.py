from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


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
