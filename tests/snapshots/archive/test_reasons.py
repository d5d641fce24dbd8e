from django.utils import translation

from snapshots.archive.reasons import translate_reason


def test_capture_reasons_are_shown_in_the_readers_language():
    with translation.override("zh-hans"):
        assert translate_reason("address not allowed") == "不允许访问该地址"
        assert translate_reason("timed out after 45 s") == "45 秒后超时"
        notes = "screenshot cut at 15,000 px\nblocked 2 request(s) to addresses that are not allowed"
        assert translate_reason(notes) == "截图已在 15,000 像素处截断; 已拦截 2 个指向不允许地址的请求"
    with translation.override("en"):
        assert translate_reason("timed out after 45 s") == "timed out after 45 s"


def test_unknown_reasons_are_kept_as_they_are():
    with translation.override("zh-hans"):
        assert translate_reason("something new happened") == "something new happened"
        assert translate_reason("") == ""
