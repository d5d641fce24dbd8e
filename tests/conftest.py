"""The fixed cast of test users (owner, other user, staff, anonymous) and their clients."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import User

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; the tests prove behaviour, not key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_save_burst_limit(settings):
    """Fixtures save dozens of links within a second through the write path; the per-minute limit
    has its own tests (tests/snapshots/links/test_link_caps.py), which set it."""
    settings.LINK_RATE_PER_MINUTE = 0


@pytest.fixture
def owner(db) -> User:
    return User.objects.create_user("owner", email="owner@example.com", password=PASSWORD)


@pytest.fixture
def other(db) -> User:
    return User.objects.create_user("other", email="other@example.com", password=PASSWORD)


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user("staff", password=PASSWORD, is_staff=True, is_superuser=True)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(db, other):
    c = Client()
    c.force_login(other)
    return c


@pytest.fixture
def staff_client(db, staff) -> Client:
    c = Client()
    c.force_login(staff)
    return c


def token_client(user: User) -> APIClient:
    _token, secret = account_services.token_create(user=user, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


@pytest.fixture
def owner_api(owner) -> APIClient:
    return token_client(owner)


@pytest.fixture
def other_api(other) -> APIClient:
    return token_client(other)


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """The suite's one S3-compatible server (moto in server mode), started on first use."""
    from tests.support.s3 import S3Server

    server = S3Server(tmp_path_factory.mktemp("s3") / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server, settings) -> str:
    """A fresh bucket of this test's own, made the default storage as AWS_STORAGE_BUCKET_NAME would."""
    name = s3_server.new_bucket()
    settings.BUCKET_STORAGE = s3_server.storage_settings(settings.BUCKET_STORAGE, name)
    settings.STORAGES = {**settings.STORAGES, "default": settings.BUCKET_STORAGE}
    return name


@pytest.fixture
def media(settings, tmp_path):
    """A storage of the test's own, so what is on disk is only what this test wrote."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write and what it left for after its commit (file deletes, the list cache reset)."""

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run
