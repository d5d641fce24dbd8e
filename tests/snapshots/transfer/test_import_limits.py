"""An import is bounded in time: past its limit it ends failed with a reason worded in the reader's
language and keeps the links it saved; a run that died is ended by the sweeper; a run that is
sent again continues after the last saved batch instead of starting over."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from snapshots.archive import reasons
from snapshots.models import ImportJob, Link
from snapshots.tasks.bulk import import_bookmarks
from snapshots.transfer import importing
from tests.factories import bookmark_file, bookmark_upload, make_import_job

pytestmark = pytest.mark.django_db


def _job(owner, count: int) -> ImportJob:
    return importing.import_job_create(owner=owner, upload=bookmark_upload(bookmark_file(count)))


def test_a_run_past_its_time_limit_fails_with_a_reason_and_keeps_what_it_saved(owner, owner_client, settings):
    settings.IMPORT_SOFT_TIME_LIMIT = 0  # out of time as soon as the first batch is saved
    job = importing.import_job_run(_job(owner, importing.batch_size() * 2 + 200).pk)
    assert (job.status, job.error_code, job.error_params) == ("failed", reasons.IMPORT_TIMED_OUT, {"seconds": 0})
    assert job.done == job.created_links == importing.batch_size() == Link.objects.filter(owner=owner).count()
    assert job.error.startswith("the import reached its time limit of 0 s; the links saved until then are kept")
    page = owner_client.get(reverse("snapshots:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("zh-hans"):
        chinese = reasons.error_text(job)
    assert "时间上限" in chinese and chinese in page.content.decode()
    body = owner_client.get(reverse("api_import_job", args=[job.pk])).json()
    assert (body["status"], body["error_code"], body["created"]) == ("failed", reasons.IMPORT_TIMED_OUT, job.done)


def test_a_run_sent_again_continues_after_its_last_saved_batch(owner, settings):
    settings.IMPORT_SOFT_TIME_LIMIT = 0
    job = importing.import_job_run(_job(owner, importing.batch_size() + 200).pk)
    # As a run that died after its first batch leaves it: running, one batch done. The owner
    # deletes those links meanwhile; a run that started over would save them again.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, error_code="", error="")
    Link.objects.filter(owner=owner).delete()
    settings.IMPORT_SOFT_TIME_LIMIT = 60
    assert import_bookmarks(job.pk) == "succeeded"
    job.refresh_from_db()
    assert job.created_links == importing.batch_size() + 200 and job.done == job.total == importing.batch_size() + 200
    assert Link.objects.filter(owner=owner).count() == 200


def test_the_sweeper_ends_a_run_that_can_no_longer_be_alive(owner, settings):
    gone = settings.IMPORT_HARD_TIME_LIMIT + settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    dead = make_import_job(owner, running_for_minutes=gone / 60 + 1)
    alive = make_import_job(owner, running_for_minutes=gone / 60 - 1)
    assert importing.import_jobs_fail_stale() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.error_code) == ("failed", reasons.IMPORT_TIMED_OUT) and dead.finished
    assert alive.status == "running" and not alive.error_code
    assert importing.import_jobs_fail_stale() == 0


def test_a_file_that_cannot_be_read_fails_with_a_reason_not_the_system_error(owner):
    job = make_import_job(owner, upload="imports/missing/none.html")
    job = importing.import_job_run(job.pk)
    assert (job.status, job.error_code) == ("failed", reasons.IMPORT_UNREADABLE)
    assert job.error == "the file could not be read"


def test_the_import_task_carries_the_time_limits_of_the_settings(settings):
    assert import_bookmarks.soft_time_limit == settings.IMPORT_SOFT_TIME_LIMIT
    assert import_bookmarks.time_limit == settings.IMPORT_HARD_TIME_LIMIT > settings.IMPORT_SOFT_TIME_LIMIT
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.IMPORT_HARD_TIME_LIMIT
