"""Deleting one's own account: the page, the password, the export offered first, and what is left behind (nothing)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import LoginFailure, User
from snapshots.archive import lifecycle, reasons, removal
from snapshots.audit import audit_record
from snapshots.models import AuditEntry, ImportJob, Link, Report, Snapshot, StoredFile
from tests.conftest import PASSWORD
from tests.factories import make_import_job, make_link, make_report, make_share, make_snapshot

pytestmark = pytest.mark.django_db


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _delete(client: Client, password: str = PASSWORD, **extra):
    return client.post(reverse("accounts:delete"), {"password": password}, **extra)


def test_settings_link_to_a_page_that_offers_the_export_first(owner_client, owner):
    make_link(owner, tags=("报告",))
    make_share(owner)
    settings_page = owner_client.get(reverse("accounts:settings")).content.decode()
    assert reverse("accounts:delete") in settings_page
    page = owner_client.get(reverse("accounts:delete"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your account, your 1 link and every snapshot of it will be deleted." in page
    assert "Your 1 shared collection stops working." in page
    export = reverse("snapshots:export")
    assert page.index(f"{export}?format=netscape") < page.index('name="password"')
    assert f"{export}?format=json" in page
    chinese = owner_client.get(reverse("accounts:delete"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "删除你的账号？" in chinese and "你的账号、1 个链接及其全部快照都将被删除。" in chinese
    assert "请先保存一份你的链接" in chinese and "删除我的账号" in chinese


def test_a_wrong_password_deletes_nothing_and_counts_as_a_failed_login(owner_client, owner, settings):
    make_link(owner)
    response = _delete(owner_client, "not my password")
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["That is not your password."]
    assert User.objects.filter(pk=owner.pk).exists() and Link.objects.filter(owner=owner).count() == 1
    assert LoginFailure.objects.filter(username="owner").count() == 1
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _delete(owner_client, "still not it")
    refused = _delete(owner_client)
    assert "Please wait 15 minutes" in refused.content.decode()
    assert User.objects.filter(pk=owner.pk).exists()


def test_the_right_password_deletes_the_account_and_logs_out_with_a_confirmation(client, owner):
    client.force_login(owner)
    response = _delete(client, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.redirect_chain == [(reverse("accounts:login"), 302)]
    assert "Your account, its links, snapshots and collections have been deleted." in response.content.decode()
    assert not User.objects.filter(username="owner").exists()
    assert "_auth_user_id" not in client.session
    home = client.get(reverse("snapshots:link_list")).content.decode()
    assert "accounts/signup/" in home and "ul class=\"links" not in home  # the visitors' welcome page


def test_the_confirmation_is_in_chinese_too(client, owner):
    client.force_login(owner)
    response = _delete(client, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "你的账号及其链接、快照和合集已全部删除。" in response.content.decode()


def test_deleting_an_account_leaves_no_file_or_folder_behind(media, owner, other, django_capture_on_commit_callbacks):
    mine = [make_link(owner, stored=True) for _ in range(2)]
    theirs = make_link(other, stored=True)
    upload = default_storage.save(f"imports/{owner.pk}/bookmarks.html", ContentFile(b"<dl></dl>"))
    make_import_job(owner, upload=upload)
    # A file no row names (a capture that died between writing and recording) goes too.
    default_storage.save(f"snapshots/{owner.pk}/{mine[0].pk}/999999/page.html", ContentFile(b"orphan"))
    assert str(owner.pk) in {p.name for p in (media / "snapshots").iterdir()}

    with django_capture_on_commit_callbacks(execute=True):
        services.user_delete(user=owner)

    leftovers = [p for p in tree(media) if p.split("/")[1:2] == [str(owner.pk)]]
    assert leftovers == []
    assert set(tree(media)) >= {"snapshots", "imports", f"snapshots/{other.pk}/{theirs.pk}"}
    assert all(default_storage.exists(n) for n in theirs.snapshots.get().artifacts.values())


def test_unfinished_captures_and_imports_are_cancelled_first(owner, monkeypatch):
    link = make_link(owner)
    waiting = make_snapshot(link, status=Snapshot.Status.WAITING)
    queued = make_snapshot(link, status=Snapshot.Status.QUEUED)
    running = make_snapshot(link, status=Snapshot.Status.RUNNING)
    done = make_snapshot(link)
    job = make_import_job(owner)
    seen = {}

    def look_then_delete(self, *args, **kwargs):
        seen["snapshots"] = dict(Snapshot.objects.filter(link=link).values_list("pk", "error_code"))
        seen["import"] = ImportJob.objects.get(pk=job.pk).status
        return original(self, *args, **kwargs)

    original = User.delete
    monkeypatch.setattr(User, "delete", look_then_delete)
    services.user_delete(user=owner)
    cancelled = reasons.CANCELLED
    assert seen["snapshots"] == {waiting.pk: cancelled, queued.pk: cancelled, running.pk: cancelled, done.pk: ""}
    assert seen["import"] == ImportJob.Status.FAILED


def _result_with_files():
    page = SimpleNamespace(data=b"<html>late</html>", filename="page.html", content_type="text/html")
    return SimpleNamespace(
        ok=True, error=None, artifacts={"html": page}, text="late", notes=[], final_url="https://example.com/",
        http_status=200, content_type="text/html", title="", description="", language="", charset="utf-8",
        timings={},
    )


def test_a_capture_finishing_after_the_cancel_keeps_nothing(media, owner, django_capture_on_commit_callbacks):
    running = make_snapshot(make_link(owner), status=Snapshot.Status.RUNNING)
    assert removal.snapshots_cancel(owner=owner) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.snapshot_finish(running.pk, _result_with_files()) is None
    assert not media.exists()  # it saw the cancel before writing anything
    running.refresh_from_db()
    assert (running.status, running.error_code, running.artifacts) == (Snapshot.Status.FAILED, "cancelled", {})


def test_files_a_capture_stored_just_before_the_deletion_go_with_the_account(
    media, owner, django_capture_on_commit_callbacks
):
    # The finish stores its files under the owner's lock; a deletion that starts then waits for
    # it and then finds the new version, whose files it releases with the rest.
    running = make_snapshot(make_link(owner), status=Snapshot.Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        finished = lifecycle.snapshot_finish(running.pk, _result_with_files())
    assert finished.status == Snapshot.Status.SUCCEEDED
    assert default_storage.exists(finished.artifacts["html"])
    assert StoredFile.objects.get(name=finished.artifacts["html"]).refs == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.user_delete(user=owner)
    assert not StoredFile.objects.exists()
    assert tree(media) == ["blobs"]


def test_a_capture_finishing_after_the_deletion_writes_nothing(media, owner):
    running = make_snapshot(make_link(owner), status=Snapshot.Status.RUNNING)
    services.user_delete(user=owner)
    assert lifecycle.snapshot_finish(running.pk, _result_with_files()) is None
    assert not media.exists() or tree(media) == []


def test_the_audit_trail_survives_with_what_the_open_reports_said(owner, staff, client):
    link = make_link(owner, tags=("报告",), title="报告")
    share = make_share(owner)
    make_report(share, link, message="诈骗网站")
    make_report(share, reason=Report.Reason.ABUSE, status=Report.Status.DISMISSED)
    earlier = audit_record(actor=staff, action="link.hide", target=link, reason="举报属实")
    client.force_login(owner)
    _delete(client)

    assert AuditEntry.objects.filter(pk=earlier.pk, actor=staff, target_id=str(link.pk)).exists()
    entry = AuditEntry.objects.get(action="user.delete")
    assert (entry.actor, entry.target_type, entry.target_id) == (None, "user", str(owner.pk))
    assert entry.details["username"] == "owner"
    [kept] = entry.details["open_reports"]
    assert (kept["message"], kept["reason"], kept["link"], kept["share"]) == ("诈骗网站", "spam", link.url, share.title)


def test_staff_deleting_an_account_in_the_admin_are_named_in_the_entry(owner, staff, staff_client):
    response = staff_client.post(reverse("admin:accounts_user_delete", args=[owner.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=owner.pk).exists()
    assert AuditEntry.objects.get(action="user.delete").actor == staff
