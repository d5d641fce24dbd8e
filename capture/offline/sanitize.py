"""The allow-list every fragment of an offline copy goes through, and what a kept URL may be.

nh3 re-parses each fragment (the page's body, each shadow root, each frame) on its own; this is
what guarantees that no script, on* handler, javascript: URL, base, form action, meta
refresh, template or srcdoc of the page's own survives. Form controls stay, visible and inert:
forms keep no action or method, buttons are of type "button" and submit inputs plain buttons,
and the policy says form-action 'none', so nothing can submit. Resource URLs are swapped
for data: URIs while the attributes are filtered, so nothing in a copy points at the network
except ordinary links.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import nh3

from capture.offline.resources import Resources

PLACEHOLDER_KINDS = ("shadow", "frame", "svg")
_BOX = {"class", "id", "style", "title", "width", "height"}
_TAGS = set(nh3.ALLOWED_TAGS) | {
    "style", "font", "main", "section", "picture", "source", "big", "label", "video", "audio", "slot",
    "input", "button", "select", "option", "optgroup", "textarea", "fieldset", "legend", "progress",
    "meter", "output", "datalist", "dialog", "search", "address", "menu",
    # A form keeps the page's "form .row" rules working; with no action, method or submit button,
    # and form-action 'none' in every copy's policy, it cannot send anything.
    "form",
}
_GENERIC = {"class", "id", "style", "title", "lang", "dir", "align", "valign", "width", "height",
            "bgcolor", "border", "role", "hidden", "slot", "part", "tabindex", "translate", "color", "open"}
_ATTRIBUTES = {
    "*": _GENERIC,
    "a": {"href", "name"},
    "img": {"src", "srcset", "alt", "sizes"},
    "source": {"srcset", "type", "media", "sizes"},
    "style": {"media"},
    "td": {"colspan", "rowspan", "nowrap"},
    "th": {"colspan", "rowspan", "scope", "nowrap"},
    "table": {"cellpadding", "cellspacing", "summary"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "font": {"color", "face", "size"},
    "time": {"datetime"},
    "video": {"poster"},
    "audio": {"controls"},
    "slot": {"name"},
    "input": {"type", "value", "checked", "placeholder", "disabled", "readonly", "size", "maxlength", "min",
              "max", "step", "multiple"},
    "button": {"type", "disabled", "value"},
    "select": {"multiple", "size", "disabled"},
    "option": {"value", "selected", "disabled", "label"},
    "optgroup": {"label", "disabled"},
    "textarea": {"rows", "cols", "placeholder", "disabled", "readonly", "wrap"},
    "label": {"for"},
    "fieldset": {"disabled"},
    "progress": {"value", "max"},
    "meter": {"value", "min", "max", "low", "high", "optimum"},
}
_IMAGE_TAGS = {"img", "source", "video"}
_LINK_SCHEMES = {"http", "https", "mailto", ""}
_INERT_INPUTS = {"submit": "button", "image": "button", "reset": "button"}
# Custom element names: a hyphen makes them, and no HTML element has one.
_CUSTOM = re.compile(r"<([a-zA-Z][a-zA-Z0-9._]*-[a-zA-Z0-9._-]*)")


def _attribute_filter(resources: Resources, base: str) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, name: str, value: str) -> str | None:
        """Resources become data: URIs or go; links only to the web; nothing else that loads or runs."""
        if name == "style":
            return resources.css(value, base)
        if name in ("src", "poster"):
            if tag not in _IMAGE_TAGS:
                return None
            if value.startswith("data:image/"):
                return value
            return resources.data_uri(value) if value.startswith(("http:", "https:")) else None
        if name == "srcset":
            return resources.srcset(value, base) or None
        if name == "href":
            return value if urlsplit(value.strip().lower()).scheme in _LINK_SCHEMES else None
        if name.startswith("data-") and value.lstrip().lower().startswith(("http:", "https:", "//")):
            return None  # a lazy loader's address: the image it names is inlined already, or was never held
        if tag == "input" and name == "type":
            return _INERT_INPUTS.get(value.strip().lower(), value)
        if tag == "button" and name == "type":
            return "button"
        return value

    return keep


def clean(fragment: str, resources: Resources, base: str, marker: str) -> str:
    """One fragment through the allow-list; placeholders named with `marker` are kept for stitching."""
    ours = {f"lh-{kind}-{marker}" for kind in PLACEHOLDER_KINDS}
    # A page's element named like a placeholder is harmless: only this build's marker is stitched.
    custom = {name.lower() for name in _CUSTOM.findall(fragment)}
    attributes = dict(_ATTRIBUTES)
    for name in ours:
        attributes[name] = _BOX | {"data-i"}
    return nh3.clean(
        fragment,
        tags=_TAGS | custom | ours,
        clean_content_tags={"script"},
        attributes=attributes,
        generic_attribute_prefixes={"data-", "aria-"},
        attribute_filter=_attribute_filter(resources, base),
        url_schemes={"http", "https", "mailto", "data"},
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
    )
