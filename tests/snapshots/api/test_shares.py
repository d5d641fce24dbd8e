from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from snapshots.models import AuditEntry, Share
from tests.conftest import token_client

pytestmark = pytest.mark.django_db

FIELDS = {"id", "tag", "title", "description", "url", "active", "expires", "created", "moderation"}


def test_create_list_and_shape(owner_api, report_links, client):
    expires = (timezone.now() + timedelta(days=7)).astimezone(UTC).replace(microsecond=0)
    response = owner_api.post(
        reverse("api_shares"),
        {"tag": "报告", "title": "公开报告", "description": "说明", "expires": expires.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    data = response.json()
    assert set(data) == FIELDS
    assert data["tag"] == "报告" and data["moderation"] == "ok" and data["active"] is True
    assert datetime.fromisoformat(data["expires"].replace("Z", "+00:00")) == expires
    assert data["url"].startswith("http://testserver/s/")
    assert client.get(data["url"]).status_code == 200
    listing = owner_api.get(reverse("api_shares")).json()
    assert [s["id"] for s in listing["results"]] == [data["id"]]


def test_create_validates(owner_api, report_links):
    response = owner_api.post(reverse("api_shares"), {"tag": "无此标签", "title": "x"}, format="json")
    assert response.status_code == 400 and "tag" in response.json()
    assert owner_api.post(reverse("api_shares"), {"tag": "报告"}, format="json").status_code == 400
    assert not Share.objects.exists()


def test_pause_rotate_delete(owner_api, share, client):
    url = reverse("api_share", args=[share.pk])
    paused = owner_api.patch(url, {"active": False}, format="json").json()
    assert paused["active"] is False
    assert client.get(paused["url"]).status_code == 404
    owner_api.patch(url, {"active": True}, format="json")
    old = owner_api.get(url).json()["url"]
    rotated = owner_api.post(reverse("api_share_rotate", args=[share.pk])).json()
    assert rotated["url"] != old
    assert client.get(old).status_code == 404
    assert client.get(rotated["url"]).status_code == 200
    assert owner_api.delete(url).status_code == 204
    assert client.get(rotated["url"]).status_code == 404


def test_owner_cannot_change_or_undo_moderation(owner_api, staff, share, client):
    url = reverse("api_share", args=[share.pk])
    assert owner_api.patch(url, {"moderation": "disabled"}, format="json").status_code == 403
    staff_api = token_client(staff)
    disabled = staff_api.patch(url, {"moderation": "disabled"}, format="json")
    assert disabled.status_code == 200 and disabled.json()["moderation"] == "disabled"
    assert AuditEntry.objects.filter(action="share.disable", target_id=str(share.pk), actor=staff).exists()
    assert owner_api.patch(url, {"moderation": "ok"}, format="json").status_code == 403
    assert owner_api.patch(url, {"active": True}, format="json").json()["moderation"] == "disabled"
    assert client.get(reverse("snapshots:share_page", args=[share.token])).status_code == 404


def test_other_users_see_nothing(other_api, share):
    assert other_api.get(reverse("api_shares")).json()["results"] == []
    for method in ("get", "patch", "delete"):
        assert getattr(other_api, method)(reverse("api_share", args=[share.pk])).status_code == 404
    assert other_api.post(reverse("api_share_rotate", args=[share.pk])).status_code == 404


def test_anonymous_is_refused(share):
    assert APIClient().get(reverse("api_shares")).status_code == 401
