"""What a reader copy may hold: the tags and attributes of the allow-list, as plain data.

The engine sanitises each copy with it when it makes one (`document`), and our reader page
cleans the stored copy again with the same rules as it embeds it (snapshots/storage/readercopy.py).
This module imports nothing, so web processes may read it without loading the engine (a named
exception in .importlinter; a test checks that importing it loads no Selenium, lxml or Pillow).
"""

from __future__ import annotations

TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "q", "cite", "abbr",
    "dfn", "ruby", "rt", "rp", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "caption", "colgroup", "col", "figure", "figcaption", "img", "a", "time", "span",
    "div", "section", "article", "header", "footer", "aside", "details", "summary",
})
ATTRIBUTES = {
    "*": frozenset({"lang", "dir", "title"}),
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "time": frozenset({"datetime"}),
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})  # what a link in a copy may point to
