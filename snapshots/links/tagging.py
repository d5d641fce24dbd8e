"""Tag names: parsing a tag string and the rules every tag name obeys."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from taggit.models import Tag

from snapshots.models import LINK_TAGS_MAX, TAG_MAX_LENGTH
from snapshots.textclean import clean_text

_SEPARATORS = re.compile(r"[,，、]")
# A name may be wrapped in straight or curly double quotes: the chip widget writes a name with
# spaces that way (a bare space ends a chip there), and the form pre-fills such names so.
_QUOTED = re.compile(r'^\s*(?:"(.*)"|“(.*)”)\s*$', re.DOTALL)


def tag_get_or_create(name: str) -> Tag:
    """The site-wide Tag of this name in any case (tags compare case-insensitively), made if new."""
    return Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)


def split_tag_string(value: str) -> list[str]:
    """Commas (ASCII or CJK) separate tags; spaces inside a name are kept; quotes around a
    name are dropped, so `"政府 报告", 新闻` is the two tags 政府 报告 and 新闻."""
    return [_unquote(part) for part in _SEPARATORS.split(value or "")]


def _unquote(part: str) -> str:
    match = _QUOTED.match(part)
    if match is None:
        return part
    return match.group(1) if match.group(1) is not None else match.group(2)


def join_tag_names(names: Iterable[str]) -> str:
    """The text a tags input is pre-filled with: comma-separated, a name with a space in quotes
    (so the chip widget, which splits on spaces, keeps it whole); `split_tag_string` reads it back."""
    return ", ".join(f'"{name}"' if any(c.isspace() for c in name) else name for name in names)


def clean_tag_names(names: Iterable[str], *, kept: Iterable[str] = ()) -> list[str]:
    """Trim, drop empties, refuse over-long names and more than LINK_TAGS_MAX names, and
    de-duplicate ignoring case.

    `kept`: the names the link has now. A link given more than LINK_TAGS_MAX tags before the
    limit existed keeps them through edits, and may lose some, but gains none until it is
    under the limit. Refusing stops at the first name past the limit, so a list of 20,000
    names costs no more than one of 101.
    """
    known = {name.casefold() for name in kept}
    result: list[str] = []
    seen: set[str] = set()
    new = 0
    for raw in names:
        if not isinstance(raw, str):
            raise ValidationError(_("Each tag must be text."), code="invalid")
        name = " ".join(clean_text(raw, multiline=False).split())
        if not name:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise ValidationError(
                _("Tag names can be at most %(limit)d characters.") % {"limit": TAG_MAX_LENGTH},
                code="tag_too_long",
            )
        key = name.casefold()
        if key in seen:
            continue
        seen.add(key)
        result.append(name)
        new += key not in known
        if len(result) > LINK_TAGS_MAX and new:
            raise ValidationError(
                _("A link can have at most %(limit)d tags.") % {"limit": LINK_TAGS_MAX}, code="too_many_tags"
            )
    return result
