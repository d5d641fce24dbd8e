"""Settings come from the environment, fail loudly on bad values, and pass the deploy checklist."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from snapshots.models import Link

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
db = settings.DATABASES["default"]
out = {
    "engine": db["ENGINE"], "options": db.get("OPTIONS", {}), "tz": settings.TIME_ZONE, "port": settings.PORT,
    "media": str(settings.MEDIA_ROOT), "redis": settings.REDIS_URL, "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND, "session": settings.SESSION_ENGINE,
    "cache": settings.CACHES["default"]["BACKEND"], "debug": settings.DEBUG,
}
if db["ENGINE"].endswith("sqlite3"):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        out["journal_mode"] = cursor.fetchone()[0]
print(json.dumps(out))
"""


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    (tmp_path / "data").mkdir(exist_ok=True)  # made by `make run` or the image; settings create no folders
    base.update({"DJANGO_SETTINGS_MODULE": "linkhome.settings", "DATA_DIR": str(tmp_path / "data")})
    base.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60, check=False
    )


def _settings(env: dict[str, str], tmp_path: Path) -> dict:
    result = _run(["-c", PRINT_SETTINGS], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_pass_check_deploy(tmp_path):
    env = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40)[:50], "ALLOWED_HOSTS": "example.com"}
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run(["manage.py", "check"], {"DEBUG": "0", "ALLOWED_HOSTS": "example.com"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("DEBUG", "perhaps"),
        ("PORT", "0"),
        ("TRUSTED_PROXIES", "172.18.0.0/33"),
        ("IMPORT_HARD_TIME_LIMIT", "10"),
    ],
)
def test_bad_values_fail_loudly(tmp_path, name, value):
    result = _run(["manage.py", "check"], {name: value}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr


def test_defaults_are_sqlite_in_wal_mode_with_immediate_transactions(tmp_path):
    values = _settings({}, tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["journal_mode"] == "wal"
    assert values["options"]["transaction_mode"] == "IMMEDIATE"
    assert values["options"]["timeout"] == 20  # SQLITE_BUSY_TIMEOUT: writers wait for each other this long
    assert values["tz"] == "Asia/Shanghai"
    assert values["port"] == 8000
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["session"] == "django.contrib.sessions.backends.db"
    assert values["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert values["debug"] is True


def test_environment_overrides(tmp_path):
    values = _settings(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/linkhome",
            "REDIS_URL": "redis://127.0.0.1:6379/7",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PORT": "9000",
            "TIME_ZONE": "UTC",
        },
        tmp_path,
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["redis"], values["broker"]) == ("redis://127.0.0.1:6379/7",) * 2
    assert (values["media"], values["port"], values["tz"]) == (str(tmp_path / "media"), 9000, "UTC")


def test_postgresql_goes_through_psycopg_3():
    if connection.vendor == "postgresql":
        assert connection.Database.__name__ == "psycopg"
        assert connection.Database.__version__.startswith("3.")
    else:
        assert connection.vendor == "sqlite"


@pytest.mark.django_db
def test_sessions_and_cache_work_without_redis(owner_client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    cache.set("probe", "值", 30)
    assert cache.get("probe") == "值"
    assert owner_client.get(reverse("snapshots:link_list")).status_code == 200


@pytest.mark.django_db
def test_healthz_reports_db_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_healthz_stays_200_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "redis": "down"}


def test_static_files_are_served_by_whitenoise(settings, tmp_path):
    """Production serves collected files from STATIC_ROOT through WhiteNoise, not runserver."""

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_api_times_are_utc_whatever_the_display_zone(owner_api, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    body = owner_api.post(reverse("api_links"), {"url": "https://example.com/"}, format="json").json()
    stored = Link.objects.get(pk=body["id"]).created
    assert body["created"] == stored.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
