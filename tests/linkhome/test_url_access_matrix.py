"""Every URL in the project, requested by every kind of visitor, answers as the rule table says.

The walk covers `get_resolver().url_patterns` recursively, so a URL added without a rule here
fails `test_every_url_has_a_rule`. The admin is summarised as "staff only". A second walk posts
without a CSRF token as a signed-in user: every state-changing endpoint must refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import services as account_services
from snapshots.sharing import shares
from snapshots.storage.signing import SALT
from tests.factories import make_import_job, make_link, make_report, make_share, make_stored_snapshot

pytestmark = pytest.mark.django_db

IDENTITIES = ("anon", "owner", "other", "staff")

# name -> (expected status for anon, owner, other, staff) on GET. 302 for anon means "to login".
LOGIN = (302, 200, 200, 200)
OWNER_ONLY = (302, 200, 404, 404)
POST_ONLY = (302, 405, 405, 405)
PUBLIC = (200, 200, 200, 200)
STAFF_ONLY = (302, 302, 302, 200)
API = (401, 200, 200, 200)
API_OWNER_ONLY = (401, 200, 404, 404)
API_POST_ONLY = (401, 405, 405, 405)

# Where an anonymous 302 must lead to the login page, except redirects that go elsewhere for all.
LOGIN_PREFIXES = ("snapshots:", "accounts:settings")
NOT_TO_LOGIN = {"snapshots:favicon"}

RULES: dict[str, tuple[int, int, int, int]] = {
    "snapshots:link_list": PUBLIC,  # visitors get the welcome page, members their list
    "snapshots:web_manifest": PUBLIC,
    "snapshots:favicon": (302, 302, 302, 302),  # to the icon's static file
    "snapshots:link_add": LOGIN,
    "snapshots:link_upload": POST_ONLY,
    "snapshots:page_receive": PUBLIC,  # signed out, it says so (a redirect would cut off its opener)
    "snapshots:link_detail": OWNER_ONLY,
    "snapshots:link_edit": OWNER_ONLY,
    "snapshots:link_delete": OWNER_ONLY,
    "snapshots:link_capture": POST_ONLY,
    "snapshots:link_live": OWNER_ONLY,
    "snapshots:snapshot_live": OWNER_ONLY,
    "snapshots:versions_live": OWNER_ONLY,
    "snapshots:rows_live": LOGIN,
    "snapshots:link_bulk": POST_ONLY,
    # The snapshot's link is in a share, so staff may look (and the look is audited).
    "snapshots:snapshot_detail": (302, 200, 404, 200),
    "snapshots:snapshot_artifact": (302, 200, 404, 200),
    "snapshots:snapshot_reader": (302, 200, 404, 200),
    "snapshots:version_compare": OWNER_ONLY,
    "snapshots:version_image": OWNER_ONLY,
    "snapshots:search": LOGIN,
    "snapshots:import_start": LOGIN,
    "snapshots:import_detail": OWNER_ONLY,
    "snapshots:import_progress": OWNER_ONLY,
    "snapshots:export": LOGIN,
    "snapshots:tag_list": LOGIN,
    "snapshots:tag_rename": POST_ONLY,
    "snapshots:tag_merge": POST_ONLY,
    "snapshots:tag_autocomplete": LOGIN,
    "snapshots:share_list": LOGIN,
    "snapshots:share_edit": OWNER_ONLY,
    "snapshots:share_toggle": POST_ONLY,
    "snapshots:share_rotate": POST_ONLY,
    "snapshots:share_delete": OWNER_ONLY,
    "snapshots:profile_collections": POST_ONLY,
    "snapshots:share_page": PUBLIC,
    "snapshots:share_feed": PUBLIC,
    "snapshots:share_live": (404, 200, 404, 404),  # the share's owner follows its captures
    "snapshots:share_report": PUBLIC,
    "snapshots:share_snapshot": PUBLIC,
    "snapshots:share_artifact": PUBLIC,
    "snapshots:profile": PUBLIC,
    # Signed URLs answer only on SNAPSHOT_HOST, which is unset here.
    "snapshots:signed_artifact": (404, 404, 404, 404),
    "snapshots:moderation_queue": STAFF_ONLY,
    "snapshots:moderation_resolve": (302, 302, 302, 405),
    "snapshots:moderation_audit": STAFF_ONLY,
    "accounts:signup": (200, 302, 302, 302),
    "accounts:login": (200, 302, 302, 302),
    "accounts:logout": (405, 405, 405, 405),
    "accounts:password_change": LOGIN,
    "accounts:password_change_done": LOGIN,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:settings": LOGIN,
    "accounts:delete": LOGIN,
    "accounts:token_create": POST_ONLY,
    "accounts:token_revoke": POST_ONLY,
    "accounts:preferences": POST_ONLY,
    "api_token": (405, 405, 405, 405),
    "api_links": API,
    "api_link": API_OWNER_ONLY,
    "api_link_capture": API_POST_ONLY,
    "api_snapshot": API_OWNER_ONLY,
    "api_tags": API,
    "api_storage": API,
    "api_shares": API,
    "api_share": (401, 200, 404, 200),  # staff read any share to moderate it
    "api_share_rotate": API_POST_ONLY,
    "api_import": API_POST_ONLY,
    "api_page_upload": API_POST_ONLY,
    "api_import_job": API_OWNER_ONLY,
    "api_export": API,
    "api_schema": PUBLIC,
    "api_docs": PUBLIC,
    "set_language": (302, 302, 302, 302),
    "healthz": PUBLIC,
    "metrics": (404, 404, 404, 404),  # absent without METRICS_TOKEN; with it, see test_metrics.py
    "admin:*": STAFF_ONLY,  # every admin URL: see `admin_allows`
}


def walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, list[str]]]:
    """(rule key, route text, argument names) for every URL pattern, depth first."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            names = list(getattr(pattern.pattern, "converters", {}) or pattern.pattern.regex.groupindex)
            key = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            if namespace == "admin":
                key = "admin:*"
            yield key or prefix + str(pattern.pattern), prefix + str(pattern.pattern), names, pattern.name


@pytest.fixture
def world(owner, other, staff):
    link = make_link(owner, "https://stats.example.cn/2025", tags=("报告",), title="统计公报", stored=True)
    share = make_share(owner, title="公开合集")
    report = make_report(share, link)
    shares.profile_collections_set(user=owner, visible=True)
    token, _secret = account_services.token_create(user=owner, name="matrix")
    snapshot = link.snapshots.get()
    newer = make_stored_snapshot(link)
    job = make_import_job(owner, upload="imports/none.html")
    args = {
        "link_id": link.pk,
        "snapshot_id": snapshot.pk,
        "kind": "html",
        "share_id": share.pk,
        "token": share.token,
        "username": owner.username,
        "signed": signing.dumps({"s": snapshot.pk, "k": "html", "v": owner.pk}, salt=SALT),
        "report_id": report.pk,
        "token_id": token.pk,
        "uidb64": "MQ",
        "old_id": snapshot.pk,
        "new_id": newer.pk,
        "side": "new",
        "job_id": job.pk,
        "pk": None,  # API: filled per route below
    }
    clients = {"anon": Client()}
    for name, user in (("owner", owner), ("other", other), ("staff", staff)):
        clients[name] = Client()
        clients[name].force_login(user)
    return {"args": args, "clients": clients, "link": link, "snapshot": snapshot, "share": share, "job": job}


def url_for(name: str, route: str, names: list[str], world) -> str:
    args = dict(world["args"])
    if name in ("api_link", "api_link_capture"):
        args["pk"] = world["link"].pk
    elif name == "api_snapshot":
        args["pk"] = world["snapshot"].pk
    elif name in ("api_share", "api_share_rotate"):
        args["pk"] = world["share"].pk
    elif name == "api_import_job":
        args["pk"] = world["job"].pk
    if name == "accounts:password_reset_confirm":
        args["token"] = "not-a-valid-token"
    return reverse(name, kwargs={n: args[n] for n in names})


def admin_url(route: str, names: list[str], name: str | None) -> str:
    generic = {"object_id": "1", "app_label": "snapshots", "content_type_id": "1", "url": "nowhere/"}
    if name:
        return reverse(f"admin:{name}", kwargs={n: generic.get(n, "1") for n in names})
    return "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: generic.get(m.group(1), "1"), route).strip("^$")


def admin_allows(response, who: str, name: str | None) -> bool:
    if name == "login":
        return response.status_code in (200, 302)
    to_login = response.status_code == 302 and response["Location"].startswith("/admin/login/")
    if who == "staff":
        return not to_login and response.status_code < 500
    # Admin logout sends non-staff back to the admin index, which then asks them to log in.
    return to_login or (name == "logout" and response.status_code in (302, 405))


def test_every_url_has_a_rule():
    keys = {key for key, *_ in walk(get_resolver().url_patterns)}
    assert keys - RULES.keys() == set(), "URLs without an access rule"
    assert RULES.keys() - keys == set(), "rules for URLs that no longer exist"


def test_every_url_answers_each_identity_as_the_rules_say(world):
    failures = []
    for key, route, names, name in walk(get_resolver().url_patterns):
        for who, expected in zip(IDENTITIES, RULES[key], strict=True):
            client = world["clients"][who]
            if key == "admin:*":
                response = client.get(admin_url(route, names, name))
                if not admin_allows(response, who, name):
                    failures.append((route, who, response.status_code, "staff only"))
                continue
            url = url_for(key, route, names, world)
            response = client.get(url)
            if response.status_code != expected:
                failures.append((url, who, response.status_code, expected))
            elif expected == 302 and who == "anon" and key.startswith(LOGIN_PREFIXES) and key not in NOT_TO_LOGIN:
                assert "/login/" in response["Location"], url
    assert failures == []


def test_state_changing_requests_need_a_csrf_token(world, owner):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    accepted = []
    for key, route, names, name in walk(get_resolver().url_patterns):
        if key == "admin:*":
            url = admin_url(route, names, name)
        else:
            url = url_for(key, route, names, world)
        # The token endpoint takes credentials in the body and ignores cookies, so CSRF cannot ride it.
        if key == "api_token":
            continue
        status = strict.post(url, {}).status_code
        if status != 403:
            accepted.append((url, status))
    assert accepted == []
