"""What a phone's share sheet hands the add page, read into an address and a title.

The manifest's share target sends `url`, `text` and `title` as query parameters, but apps fill
them differently: many put the address in `text`, often after a sentence ("Look at this
https://…"), and some leave `url` empty. The first http(s) address found wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# An address runs until white space, a quote or bracket, or full-width punctuation (Chinese apps
# write "标题 https://…，来自…" with no space before the comma).
_ADDRESS = re.compile(r"https?://[^\s<>\"'，。、；：！？（）【】「」《》]+", re.IGNORECASE)
# Sentence punctuation that ends a sentence rather than the address it follows.
_TRAILING = ".,;:!?)]}'\""


def first_address(text: str) -> str:
    """The first http(s) address in `text`, without the punctuation that ends its sentence."""
    match = _ADDRESS.search(text or "")
    return match.group(0).rstrip(_TRAILING) if match else ""


def shared_link(params: Mapping[str, str]) -> tuple[str, str]:
    """(address, title) for the add form from a share's or a bookmarklet's query parameters.

    The title is the one the app sent; without one, the words shared around the address
    (apps that share a post send its text with the address inside).
    """
    url_param, text, title = (params.get(key, "").strip() for key in ("url", "text", "title"))
    address = first_address(url_param) or first_address(text) or first_address(title)
    if not address:
        # A bare address without a scheme (or nothing at all) is left for the form to judge.
        return url_param, title
    if not title and text:
        title = " ".join(text.replace(address, " ").split())
    return address, title
