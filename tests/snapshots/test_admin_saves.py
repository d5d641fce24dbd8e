"""Staff edits in the Django admin go through the link services, like an owner's edits."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from snapshots.links import services
from snapshots.links.tagging import tag_get_or_create
from snapshots.models import AuditEntry, Link
from snapshots.search import listcache
from snapshots.search.query import search_links
from tests.factories import make_link

pytestmark = pytest.mark.django_db


def found(owner, query: str) -> list[int]:
    return [link.pk for link in search_links(Link.objects.filter(owner=owner), query)]


def change_form_data(client: Client, link: Link, **changes) -> dict[str, object]:
    """What the admin's change page posts back unchanged, with `changes` applied; the tag inline's
    rows are posted as they are, plus `add_tags` (Tag ids) and minus `drop_tags` (names)."""
    response = client.get(reverse("admin:snapshots_link_change", args=[link.pk]))
    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    prefix = inline.formset.prefix
    drop = set(changes.pop("drop_tags", ()))
    add = list(changes.pop("add_tags", ()))
    rows = [form.instance for form in inline.formset.forms if form.instance.pk]
    data: dict[str, object] = {
        "url": link.url,
        "title": link.title,
        "description": link.description,
        "notes": link.notes,
        "recapture": link.recapture,
        f"{prefix}-TOTAL_FORMS": len(rows) + len(add),
        f"{prefix}-INITIAL_FORMS": len(rows),
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-id": row.pk, f"{prefix}-{i}-content_object": link.pk, f"{prefix}-{i}-tag": row.tag_id}
        if row.tag.name in drop:
            data[f"{prefix}-{i}-DELETE"] = "on"
    for i, tag_id in enumerate(add, start=len(rows)):
        data |= {f"{prefix}-{i}-content_object": link.pk, f"{prefix}-{i}-tag": tag_id}
    if link.unread:
        data["unread"] = "on"
    return data | changes


def test_staff_edit_in_the_admin_is_normalised_indexed_audited_and_resets_the_list(
    staff_client, staff, owner, django_capture_on_commit_callbacks
):
    link = services.link_create(
        owner=owner, url="https://example.com/old", title="旧标题", tags=["政府"], notes="私人", capture=False
    )
    assert listcache.list_facts(owner_id=owner.pk).tag_named("政府")  # the owner's tag bar is cached now
    budget = tag_get_or_create("预算")
    data = change_form_data(
        staff_client,
        link,
        url="  HTTPS://Example.COM:443/预算 2025?q=报告#x",
        title="年度预算报告",
        add_tags=[budget.pk],
        drop_tags=["政府"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:snapshots_link_change", args=[link.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    link.refresh_from_db()
    assert link.url == "https://example.com/%E9%A2%84%E7%AE%97%202025?q=%E6%8A%A5%E5%91%8A#x"
    assert (link.title, link.notes, sorted(link.tags.names())) == ("年度预算报告", "私人", ["预算"])
    assert found(owner, "预算报告") == [link.pk]
    assert found(owner, "旧标题") == [] and found(owner, "#政府") == []
    facts = listcache.list_facts(owner_id=owner.pk)
    assert facts.tag_named("预算") and not facts.tag_named("政府")
    [entry] = AuditEntry.objects.filter(action="link.edit")
    assert (entry.actor, entry.target_type, entry.target_id) == (staff, "link", str(link.pk))
    assert set(entry.details["fields"]) >= {"url", "title", "tags"}


def test_a_duplicate_url_is_refused_with_a_form_error_and_nothing_changes(staff_client, owner, other):
    taken = services.link_create(owner=owner, url="https://example.com/taken", capture=False)
    link = services.link_create(owner=owner, url="https://example.com/mine", title="我的", capture=False)
    services.link_create(owner=other, url="https://example.com/free", capture=False)
    data = change_form_data(staff_client, link, url="HTTPS://EXAMPLE.com/taken", title="改了")
    response = staff_client.post(reverse("admin:snapshots_link_change", args=[link.pk]), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert f"#{taken.pk}" in " ".join(errors["url"])
    link.refresh_from_db()
    assert (link.url, link.title) == ("https://example.com/mine", "我的")
    assert not AuditEntry.objects.exists()
    # Another user's copy of a URL is no clash.
    data = change_form_data(staff_client, link, url="https://example.com/free")
    assert staff_client.post(reverse("admin:snapshots_link_change", args=[link.pk]), data).status_code == 302


def test_over_long_notes_come_back_as_a_form_error(staff_client, owner):
    link = services.link_create(owner=owner, url="https://example.com/n", capture=False)
    data = change_form_data(staff_client, link, notes="字" * 20_001)
    response = staff_client.post(reverse("admin:snapshots_link_change", args=[link.pk]), data)
    assert response.status_code == 200 and response.context["adminform"].form.errors["notes"]


def test_a_link_added_in_the_admin_is_saved_by_the_service(staff_client, staff, owner):
    tag = tag_get_or_create("统计")
    prefix = "tagged_items"
    data = {
        "owner": owner.pk,
        "url": "HTTPS://Stats.Example.cn/2025",
        "title": "统计公报",
        "description": "",
        "notes": "",
        "recapture": "weekly",
        f"{prefix}-TOTAL_FORMS": 1,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
        f"{prefix}-0-tag": tag.pk,
    }
    response = staff_client.post(reverse("admin:snapshots_link_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    link = Link.objects.get(owner=owner)
    assert (link.url, link.recapture, list(link.tags.names())) == ("https://stats.example.cn/2025", "weekly", ["统计"])
    assert link.next_capture_at is not None
    assert found(owner, "统计公报") == [link.pk]
    assert AuditEntry.objects.filter(action="link.create", actor=staff, target_id=str(link.pk)).exists()


def test_a_link_deleted_in_the_admin_is_audited_with_its_url(staff_client, staff, owner):
    link = services.link_create(owner=owner, url="https://example.com/gone", capture=False)
    response = staff_client.post(reverse("admin:snapshots_link_delete", args=[link.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Link.objects.exists()
    [entry] = AuditEntry.objects.filter(action="link.delete")
    assert (entry.actor, entry.target_id, entry.details["url"]) == (staff, str(link.pk), "https://example.com/gone")


def test_staff_renaming_a_shared_tag_reindexes_every_owner(staff_client, staff, owner, other):
    mine = services.link_create(owner=owner, url="https://example.com/a", tags=["政府"], capture=False)
    theirs = services.link_create(owner=other, url="https://example.com/b", tags=["政府"], capture=False)
    tag = tag_get_or_create("政府")
    response = staff_client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]), {"name": "政府机关", "slug": tag.slug}
    )
    assert response.status_code == 302
    assert (found(owner, "政府机关"), found(other, "政府机关")) == ([mine.pk], [theirs.pk])
    assert AuditEntry.objects.filter(action="tag.edit", actor=staff, target_id=str(tag.pk)).exists()
    staff_client.post(reverse("admin:taggit_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert (found(owner, "#政府机关"), found(other, "政府机关")) == ([], [])


def test_a_snapshot_deleted_in_the_admin_leaves_search(staff_client, owner):
    link = make_link(owner, "https://example.com/report", text="第三季度国民经济运行情况")
    assert found(owner, "国民经济") == [link.pk]
    snapshot = link.snapshots.get()
    response = staff_client.post(
        reverse("admin:snapshots_snapshot_changelist"),
        {"action": "delete_selected", "_selected_action": [snapshot.pk], "post": "yes"},
    )
    assert response.status_code == 302 and not link.snapshots.exists()
    assert found(owner, "国民经济") == []
