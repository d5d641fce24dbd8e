from django.utils import translation

from snapshots.archive.reasons import note_text, reason_text
from snapshots.models import Snapshot


def test_capture_reasons_are_shown_in_the_readers_language():
    with translation.override("zh-hans"):
        assert reason_text("address_not_allowed") == "不允许访问该地址"
        assert reason_text("timed_out", {"seconds": "45"}) == "45 秒后超时"
        notes = [
            {"code": "screenshot_cut", "params": {"px": "15,000"}},
            {"code": "requests_blocked", "params": {"count": 2}},
        ]
        assert note_text(Snapshot(note_reasons=notes)) == "截图已在 15,000 像素处截断; 已拦截 2 个指向不允许地址的请求"
    with translation.override("en"):
        assert reason_text("timed_out", {"seconds": "45"}) == "timed out after 45 s"


def test_reasons_stored_before_codes_are_kept_as_they_are():
    with translation.override("zh-hans"):
        assert note_text(Snapshot(note="something new happened")) == "something new happened"
        assert note_text(Snapshot()) == ""
