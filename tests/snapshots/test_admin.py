import pytest
from django.urls import reverse

from snapshots.links import services
from snapshots.models import Snapshot

pytestmark = pytest.mark.django_db


def test_staff_retry_action_requeues_only_failed_captures(client, staff, owner):
    link = services.link_create(owner=owner, url="https://example.com/retry", capture=False)
    failed = Snapshot.objects.create(link=link, status=Snapshot.Status.FAILED, error="timed out after 45 s", attempts=3)
    done = Snapshot.objects.create(link=link, status=Snapshot.Status.SUCCEEDED, attempts=1)
    client.force_login(staff)
    response = client.post(
        reverse("admin:snapshots_snapshot_changelist"),
        {"action": "retry_failed", "_selected_action": [failed.pk, done.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (Snapshot.Status.QUEUED, 0, "")
    assert done.status == Snapshot.Status.SUCCEEDED


def test_failed_captures_are_listed_for_staff(client, staff, owner):
    link = services.link_create(owner=owner, url="https://example.com/failing", capture=False)
    Snapshot.objects.create(link=link, status=Snapshot.Status.FAILED, error="address not allowed")
    client.force_login(staff)
    page = client.get(reverse("admin:snapshots_snapshot_changelist"), {"status__exact": "failed"}).content.decode()
    assert "address not allowed" in page
