import pytest
from django.core.exceptions import ValidationError

from snapshots.links.urlnorm import check_saveable, display_url, normalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM:443/路径?q=1", "https://example.com/%E8%B7%AF%E5%BE%84?q=1"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/a#frag", "http://example.com:8080/a#frag"),
        ("https://例子.测试/", "https://xn--fsqu00a.xn--0zwm56d/"),
        ("  https://example.com/a%20b  ", "https://example.com/a%20b"),
    ],
)
def test_normalize(raw, expected):
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("example.com", "no_scheme"),
        ("javascript:alert(1)", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("https://example.com/" + "a" * 5000, "too_long"),
        ("https://exa\x00mple.com/", "control_characters"),
        ("https://exa mple.com:99999/", "invalid"),
        ("https://user:pw@example.com/", "userinfo"),
        ("https:///nohost", "invalid_host"),
        ("", "required"),
    ],
)
def test_bad_urls_are_refused_with_a_code(raw, code):
    with pytest.raises(ValidationError) as info:
        normalize_url(raw)
    assert info.value.code == code


def test_display_url_round_trip():
    stored = normalize_url("https://例子.测试/路径?q=政府#节")
    assert display_url(stored) == "https://例子.测试/路径?q=政府#节"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.1/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://100.64.0.1/",
        "http://localhost:8000/",
        "http://admin.localhost/",
    ],
)
def test_forbidden_literal_hosts_refused_at_save(url):
    with pytest.raises(ValidationError) as info:
        check_saveable(normalize_url(url))
    assert info.value.code == "address_not_allowed"


def test_allowed_origin_is_exact(settings):
    settings.CAPTURE_ALLOWED_ORIGINS = ["http://127.0.0.1:8001"]
    check_saveable(normalize_url("http://127.0.0.1:8001/page"))
    for other in ("http://localhost:8001/", "http://2130706433:8001/", "http://127.0.0.1:8002/"):
        with pytest.raises(ValidationError):
            check_saveable(normalize_url(other))


def test_public_names_pass_save_check():
    check_saveable(normalize_url("https://www.gov.cn/zhengce/"))
