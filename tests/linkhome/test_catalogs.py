"""Both catalogs are complete: every string has its Chinese and its English wording, none waits for
review as fuzzy, and the compiled catalogs the site loads say the same as the sources.

English is a catalog of its own (not the msgids falling through) so that a string whose English
wording differs from its msgid is possible and an empty entry is a visible mistake. `make
messages` fills new English entries from their msgids; Chinese ones are written by hand.
"""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("zh_Hans", "en")


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_entry(language):
    catalog = _catalog(language)
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert len(catalog.translated_entries()) > 500
    assert not untranslated, f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_source(language):
    """A stale .mo shows the old wording (or English) whatever the .po says: run compilemessages."""
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    shown = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in compiled}
    stale = [
        e.msgid
        for e in _catalog(language).translated_entries()
        if shown.get((e.msgctxt, e.msgid)) != (e.msgstr, {k: v for k, v in e.msgstr_plural.items()})
    ]
    assert not stale, f"{language}: {len(stale)} entries differ in django.mo, e.g. {stale[:5]}"


def test_chinese_labels_use_chinese_colons():
    """A Chinese label ends in "：", not the ASCII colon of its English msgid (the search's
    `site:` operator is typed as it is)."""
    ascii_colons = [
        e.msgstr
        for e in _catalog("zh_Hans").translated_entries()
        if e.msgstr.endswith(":") and not e.msgstr.endswith("site:")
    ]
    assert not ascii_colons, ascii_colons[:5]
