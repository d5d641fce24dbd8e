"""The admin: lists that search and filter, tag counts, link pages, and the retry action for captures."""

import pytest
from django.urls import reverse

from snapshots.models import Snapshot
from tests.factories import make_link, make_links, make_snapshot, make_tag

pytestmark = pytest.mark.django_db


def test_staff_retry_action_requeues_only_failed_captures(client, staff, owner):
    link = make_link(owner, "https://example.com/retry")
    failed = make_snapshot(link, status=Snapshot.Status.FAILED, error="timed out after 45 s", attempts=3)
    done = make_snapshot(link, attempts=1)
    client.force_login(staff)
    response = client.post(
        reverse("admin:snapshots_snapshot_changelist"),
        {"action": "retry_failed", "_selected_action": [failed.pk, done.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (Snapshot.Status.WAITING, 0, "")
    assert done.status == Snapshot.Status.SUCCEEDED


def test_failed_captures_are_listed_for_staff(client, staff, owner):
    link = make_link(owner, "https://example.com/failing")
    make_snapshot(link, status=Snapshot.Status.FAILED, error="address not allowed")
    client.force_login(staff)
    page = client.get(reverse("admin:snapshots_snapshot_changelist"), {"status__exact": "failed"}).content.decode()
    assert "address not allowed" in page


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("admin:accounts_user_changelist", {"q": "owner", "is_active__exact": "1"}),
        ("admin:snapshots_link_changelist", {"q": "example", "hidden_by_staff__exact": "0"}),
        ("admin:taggit_tag_changelist", {"q": "政府"}),
        ("admin:snapshots_snapshot_changelist", {"status__exact": "succeeded"}),
    ],
)
def test_admin_lists_search_and_filter(client, staff, owner, name, params):
    make_links(owner, 3)
    client.force_login(staff)
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_admin_link_change_page_opens(client, staff, owner):
    link = make_links(owner, 1)[0]
    client.force_login(staff)
    assert client.get(reverse("admin:snapshots_link_change", args=[link.pk])).status_code == 200


def test_admin_is_closed_to_ordinary_users(owner_client):
    response = owner_client.get(reverse("admin:snapshots_link_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_admin_tag_list_counts_links_and_filters_unused(client, staff, owner, other):
    make_links(owner, 2, tags=("政府",))
    make_links(other, 1, tags=("政府",))
    make_tag("无人用")
    client.force_login(staff)
    response = client.get(reverse("admin:taggit_tag_changelist"))
    counts = {tag.name: tag.link_count for tag in response.context["cl"].result_list}
    assert counts == {"政府": 3, "无人用": 0}
    unused = client.get(reverse("admin:taggit_tag_changelist"), {"in_use": "no"}).context["cl"].result_list
    assert [tag.name for tag in unused] == ["无人用"]
    assert "render_tag_form" not in response.context["cl"].model_admin.get_actions(response.wsgi_request)


def test_admin_link_page_shows_its_tags(client, staff, owner):
    link = make_links(owner, 1, tags=("政府", "报告"))[0]
    client.force_login(staff)
    response = client.get(reverse("admin:snapshots_link_change", args=[link.pk]))
    [inline] = response.context["inline_admin_formsets"]
    assert sorted(form.instance.tag.name for form in inline.formset.forms if form.instance.pk) == ["报告", "政府"]


def test_staff_set_one_users_storage_quota_in_the_admin(client, staff, owner):
    client.force_login(staff)
    url = reverse("admin:accounts_user_change", args=[owner.pk])
    form = client.get(url).context["adminform"].form
    assert "storage_quota_mb" in form.fields
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(
        username=owner.username, storage_quota_mb="500", date_joined_0="2026-01-01", date_joined_1="00:00:00",
        user_permissions=[], groups=[],
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    owner.refresh_from_db()
    assert owner.storage_quota_mb == 500
