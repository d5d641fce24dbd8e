"""The import page in the reader's language: skip reasons stored as codes and worded when shown
(the English text stays for the API), and a progress poll that backs off and stops."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from snapshots.models import URL_MAX_LENGTH, ImportJob
from snapshots.transfer import importing, skips
from snapshots.web.views.imports import PROGRESS_POLL_DELAYS
from tests.factories import make_import_job, make_link

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).parent / "data" / "bookmarks.html").read_bytes()


def _imported(owner) -> ImportJob:
    job = importing.import_job_create(owner=owner, upload=SimpleUploadedFile("b.html", SAMPLE, "text/html"))
    return importing.import_job_run(job.pk)


def _reasons(html: str) -> list[str]:
    """The Why column of the skipped table, as read."""
    body = html.split('<table class="skipped">', 1)[1]
    cells = re.findall(r"<tr><td>\d+</td>.*?<td>(.*?)</td></tr>", body)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_skip_reasons_are_stored_as_codes_with_their_english_text(owner):
    make_link(owner, "https://www.gov.cn/zhengce/")
    job = _imported(owner)
    by_line = {row["line"]: row for row in job.skipped}
    assert by_line[18]["params"] == {"error": "bad_scheme"}  # javascript:
    assert by_line[18]["reason"] == "Only http and https links can be saved."
    assert {row["code"] for row in job.skipped} == {skips.INVALID_URL, skips.DUPLICATE, skips.EXISTS}
    assert {row["reason"] for row in job.skipped if row["code"] == skips.EXISTS} == {"You already saved this link."}
    assert {row["params"]["error"] for row in job.skipped if row["code"] == skips.INVALID_URL} == {
        "bad_scheme",  # javascript: and place:
        "required",  # an empty address
        "address_not_allowed",  # 127.0.0.1
    }


def test_a_chinese_reader_reads_why_each_bookmark_was_skipped_in_chinese(owner, owner_client):
    make_link(owner, "https://www.gov.cn/zhengce/")
    job = _imported(owner)
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = owner_client.get(reverse("snapshots:import_detail", args=[job.pk])).content.decode()
    reasons = _reasons(html)
    assert len(reasons) == len(job.skipped)
    assert "此链接在文件中已出现过。" in reasons  # duplicate
    assert "你已经保存过此链接。" in reasons  # exists
    assert "只能保存 http 和 https 链接。" in reasons  # javascript:
    assert "请输入网址。" in reasons  # an empty address
    assert not [r for r in reasons if re.search(r"[A-Za-z]{4,}", r.replace("http", ""))], reasons
    # The same job read in English, and the API keeps its English text.
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _reasons(owner_client.get(reverse("snapshots:import_detail", args=[job.pk])).content.decode())
    assert "This link appears earlier in the file." in english and "You already saved this link." in english


def test_entries_from_before_params_show_their_stored_text(owner, owner_client):
    job = make_import_job(owner)
    job.skipped = [
        {"line": 3, "url": "x", "code": "invalid_url", "reason": "Enter a valid URL."},
        {"line": 4, "url": "y", "code": "duplicate", "reason": "This link appears earlier in the file."},
    ]
    job.save()
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = owner_client.get(reverse("snapshots:import_progress", args=[job.pk])).content.decode()
    assert _reasons(html) == ["Enter a valid URL.", "此链接在文件中已出现过。"]


def test_the_factorys_finished_job_words_every_sample_reason_in_chinese(owner, owner_client):
    job = make_import_job(owner, skipped=6)
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    reasons = _reasons(owner_client.get(reverse("snapshots:import_detail", args=[job.pk])).content.decode())
    assert len(reasons) == 6 and all(re.search(r"[\u4e00-\u9fff]", r) for r in reasons), reasons
    assert f"网址过长（最多 {URL_MAX_LENGTH:,} 个字符）。" in reasons


def _poll(html: str) -> tuple[str, str] | None:
    found = re.search(r'id="import-progress"[^>]*hx-get="([^"]+)" hx-trigger="load delay:(\d+)s"', html)
    return (found[1].replace("&amp;", "&"), found[2]) if found else None


def test_progress_polls_back_off_and_stop_once_the_job_has_finished(owner, owner_client):
    job = importing.import_job_create(owner=owner, upload=SimpleUploadedFile("b.html", SAMPLE, "text/html"))
    progress = reverse("snapshots:import_progress", args=[job.pk])
    url, delay = _poll(owner_client.get(reverse("snapshots:import_detail", args=[job.pk])).content.decode())
    assert (url, int(delay)) == (f"{progress}?n=1", PROGRESS_POLL_DELAYS[0])
    delays = []
    for _round in range(len(PROGRESS_POLL_DELAYS) + 2):
        url, delay = _poll(owner_client.get(url).content.decode())
        delays.append(int(delay))
    assert delays == [*PROGRESS_POLL_DELAYS[1:], *[PROGRESS_POLL_DELAYS[-1]] * 3]
    assert delays == sorted(delays) and delays[-1] > delays[0]
    importing.import_job_run(job.pk)
    done = owner_client.get(url).content.decode()
    assert _poll(done) is None and "hx-get" not in done and "<progress" in done
