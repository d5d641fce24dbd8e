"""Building and refreshing the search document of a link (write path of the search index).

Why CJK character pairs: Chinese has no spaces, so neither PostgreSQL's word parser nor
pg_trgm helps — a two-character query such as 报告 has no trigram to look up, and a parser
that splits on spaces sees a whole sentence as one word. Indexing every overlapping pair of
CJK characters (plus the last character of each run, so single-character prefix queries
work) lets any query of two or more characters be answered from a GIN index: 政务公开 is
found through the pairs 政务 & 务公 & 公开, then verified as a substring so pairs scattered
across the page do not count. Latin words are indexed whole, case-folded.

Phrases: positions are not kept (below), so a phrase of common words would otherwise be
verified against the stored text of every page holding those words. Words that follow each
other across one space also give a joined token — `annual_report`; for Chinese, the
characters either side of the space, `济_社` — so the index narrows a phrase to the pages
where its words are neighbours somewhere. `_` never occurs inside a token, so the joined
tokens cannot collide with a word.

The vectors are built here in Python and stored as tsvector literals (`'word':1A`), so the
database's text-search parser and locale never split or drop CJK characters. Positions are
not kept: weights need one (A = title, B = tags, C = URL/description/notes, each at its
own position), phrases are verified against the stored text instead, and a position-free
vector stays far below PostgreSQL's 1 MB tsvector limit even for long reports.

Traditional and Simplified Chinese: the stored text and every token are folded to Simplified
characters (`folding`), and so is every query, so 報告 and 报告 find each other. Folding keeps
each character's place, so the text as written is kept beside the folded one only where the
two differ (`body_original`, `meta_original`): excerpts cut their window at the offset found
in the folded text and show the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from snapshots.models import Link, SearchDocument, Snapshot, http_error_rank
from snapshots.search.folding import fold

BODY_LIMIT = 300_000  # characters of page text indexed per link
VECTOR_BYTES_LIMIT = 900_000  # stay below PostgreSQL's 1 MB per tsvector
TOKEN_MAX = 100  # longer "words" (base64, hashes) are not worth indexing
BATCH = 200

_WORD = re.compile(r"[^\W_]+")
CJK_RANGES = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\uac00-\ud7af"  # Hangul
    "\U00020000-\U0003134f"  # Han extensions
)
_CJK_SPLIT = re.compile(f"([{CJK_RANGES}]+)")
_CJK_RUN = re.compile(f"[{CJK_RANGES}]+")
_SPACE = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    """NFKC (full-width letters and digits become ASCII) with runs of whitespace collapsed."""
    if not text:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def _runs(text: str) -> Iterator[tuple[str, bool]]:
    """(piece, is_cjk) for every word of the case- and script-folded text, CJK and other scripts apart."""
    folded = fold(unicodedata.normalize("NFKC", text).casefold())
    for word in _WORD.findall(folded):
        for piece in _CJK_SPLIT.split(word):
            if piece:
                yield piece, bool(_CJK_RUN.fullmatch(piece))


# A word (starting at a word boundary, so a failed match costs one pass over the word) and,
# after exactly one space, the next word.
_NEIGHBOURS = re.compile(r"(?<![^\W_])([^\W_]+) (?=([^\W_]+))")


def _edge(word: str, *, last: bool) -> str:
    """The unit of `word` next to a neighbour: one CJK character, or a whole non-CJK word."""
    char = word[-1] if last else word[0]
    if _CJK_RUN.match(char):
        return char
    pieces = _CJK_SPLIT.split(word)
    unit = pieces[-1] if last else pieces[0]
    return unit if len(unit) <= TOKEN_MAX else ""


def _joined_tokens(text: str) -> set[str]:
    """`left_right` for every two words separated by exactly one space (see the module notes)."""
    folded = fold(unicodedata.normalize("NFKC", text).casefold())
    pairs = set(_NEIGHBOURS.findall(folded))  # pages repeat their word pairs: edge each once
    lefts = {word: _edge(word, last=True) for word in {left for left, _ in pairs}}
    rights = {word: _edge(word, last=False) for word in {right for _, right in pairs}}
    return {f"{lefts[left]}_{rights[right]}" for left, right in pairs if lefts[left] and rights[right]}


def document_tokens(text: str) -> Iterator[str]:
    """Tokens of stored text: Latin words, CJK pairs and the last character of each CJK run."""
    for piece, cjk in _runs(text):
        if not cjk:
            if len(piece) <= TOKEN_MAX:
                yield piece
            continue
        for i in range(len(piece) - 1):
            yield piece[i : i + 2]
        yield piece[-1]
    yield from sorted(_joined_tokens(text))


def query_tokens(text: str) -> list[tuple[str, bool]]:
    """(token, is_prefix) that a document containing `text` must have.

    A CJK run of two or more characters needs its pairs; a single CJK character matches any
    pair starting with it (or itself at the end of a run), hence a prefix lookup.
    """
    tokens: list[tuple[str, bool]] = []
    for piece, cjk in _runs(text):
        if not cjk:
            tokens.append((piece[:TOKEN_MAX], False))
        elif len(piece) == 1:
            tokens.append((piece, True))
        else:
            tokens.extend((pair, False) for pair in _covering_pairs(piece))
    tokens.extend((token, False) for token in sorted(_joined_tokens(text)))
    return list(dict.fromkeys(tokens))


def _covering_pairs(run: str) -> list[str]:
    """Pairs that together cover every character of a CJK run: 政务公开 → 政务, 公开.

    The substring check confirms the whole term, so asking the index for every overlapping
    pair (政务, 务公, 公开) narrows little more, while PostgreSQL, which multiplies the pairs'
    frequencies as if they were independent, would then expect far fewer matches than there
    are and read thousands of rows through the index where a walk down the newest links
    stops after a few dozen.
    """
    starts = list(range(0, len(run) - 1, 2))
    if len(run) % 2:
        starts.append(len(run) - 2)
    return [run[i : i + 2] for i in starts]


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def head_vector_literal(*, title: str, tags: Iterable[str], meta: str) -> str:
    """Weighted lexemes: A for the title, B for tags, C for URL, description and notes."""
    weights: dict[str, set[str]] = {}
    for weight, text in (("A", title), ("B", " ".join(tags)), ("C", meta)):
        for token in document_tokens(text):
            weights.setdefault(token, set()).add(weight)
    position = {"A": "1A", "B": "2B", "C": "3C"}
    return " ".join(
        f"{_quote(token)}:{','.join(position[w] for w in sorted(ws))}" for token, ws in sorted(weights.items())
    )


def _token_set(text: str) -> set[str]:
    """The distinct document tokens, built with C-level set updates (hot path of bulk loads)."""
    tokens: set[str] = set()
    for piece, cjk in _runs(text):
        if cjk:
            tokens.update(map(str.__add__, piece, piece[1:]))
            tokens.add(piece[-1])
        elif len(piece) <= TOKEN_MAX:
            tokens.add(piece)
    return tokens | _joined_tokens(text)


def body_vector_literal(text: str) -> str:
    """Distinct lexemes of the page text, cut off before the tsvector size limit.

    When the whole text would not fit, the lexemes that occur first are kept.
    """
    tokens = _token_set(text)
    too_many = len(tokens) * 16 > VECTOR_BYTES_LIMIT  # cheap test first: most pages are far below
    if too_many and sum(len(t.encode()) + 8 for t in tokens) > VECTOR_BYTES_LIMIT:  # lexeme + entry overhead
        tokens, size = set(), 0
        for token in document_tokens(text):
            if token not in tokens:
                size += len(token.encode()) + 8
                if size > VECTOR_BYTES_LIMIT:
                    break
                tokens.add(token)
    return " ".join(f"'{t}'" for t in sorted(tokens))


def _meta_text(link: Link) -> str:
    return normalize(" ".join(part for part in (link.url, link.description, link.notes) if part))


def _head_text(title: str, tags: list[str]) -> str:
    return normalize("\n".join([title, *tags]))


def _newest_texts(link_ids: list[int]) -> dict[int, tuple[int, str]]:
    """link id → (snapshot id, text) of each link's newest succeeded snapshot (one without an HTTP
    error first), in two queries.

    The text is the reader copy's (the main content, boilerplate out) when the snapshot has
    one, else the whole visible text of the page.
    """
    # An error page's text ("Not Found") is no match for the link while a good capture exists.
    newest = (
        Snapshot.objects.filter(link_id=OuterRef("pk"), status=Snapshot.Status.SUCCEEDED)
        .annotate(erred=http_error_rank())
        .order_by("erred", "-created", "-id")
    )
    snapshot_ids = [
        sid
        for sid in Link.objects.filter(pk__in=link_ids)
        .annotate(newest=Subquery(newest.values("pk")[:1]))
        .values_list("newest", flat=True)
        if sid
    ]
    return {
        link_id: (sid, reader_text or text)
        for sid, link_id, text, reader_text in Snapshot.objects.filter(pk__in=snapshot_ids).values_list(
            "pk", "link_id", "text", "reader_text"
        )
    }


def document_build(*, link: Link, tags: list[str], text: str, snapshot_id: int | None) -> SearchDocument:
    """An unsaved document for a link; bulk loaders build these directly and bulk_create them."""
    body_written = normalize(text)[:BODY_LIMIT]
    meta_written = _meta_text(link)
    body, meta = fold(body_written), fold(meta_written)
    postgres = connection.vendor == "postgresql"
    return SearchDocument(
        link_id=link.pk,
        owner_id=link.owner_id,
        created=link.created,
        head=fold(_head_text(link.title, tags)),
        meta=meta,
        meta_original=meta_written if meta != meta_written else None,
        body=body,
        body_original=body_written if body != body_written else None,
        snapshot_id=snapshot_id,
        head_vector=head_vector_literal(title=link.title, tags=tags, meta=meta) if postgres else None,
        body_vector=body_vector_literal(body) if postgres else None,
    )


def _build(link: Link, newest: tuple[int, str] | None) -> SearchDocument:
    tags = sorted(tag.name for tag in link.tags.all())
    return document_build(
        link=link, tags=tags, text=newest[1] if newest else "", snapshot_id=newest[0] if newest else None
    )


def search_documents_create(*, links: Sequence[tuple[Link, Sequence[str]]]) -> int:
    """Documents for links just inserted in bulk, with their tag names: no page text exists yet,
    so nothing is read back (an import inserts 500 links at a time)."""
    documents = SearchDocument.objects.bulk_create(
        [document_build(link=link, tags=sorted(set(tags)), text="", snapshot_id=None) for link, tags in links]
    )
    return len(documents)


def search_document_refresh(*, link_ids: Iterable[int], body: bool = True) -> int:
    """Rebuild the search documents of these links; returns how many were written.

    `body=False` is for edits that cannot change the page text (title, tags, notes): the
    stored body and its vector are kept, so a tag rename over thousands of links does not
    re-read and re-tokenise their pages. Links without a document get a full one either way.
    """
    ids = sorted(set(link_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        links = list(Link.objects.filter(pk__in=chunk).prefetch_related("tags"))
        have = set() if body else set(SearchDocument.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        full_ids = [link.pk for link in links if link.pk not in have]
        texts = _newest_texts(full_ids) if full_ids else {}
        full = [_build(link, texts.get(link.pk)) for link in links if link.pk not in have]
        partial = [_build(link, None) for link in links if link.pk in have]
        with transaction.atomic():
            if full:
                SearchDocument.objects.bulk_create(
                    full,
                    update_conflicts=True,
                    unique_fields=["link"],
                    update_fields=[
                        "owner", "created", "head", "meta", "meta_original", "body", "body_original",
                        "snapshot", "head_vector", "body_vector", "indexed",
                    ],
                )
            if partial:
                SearchDocument.objects.bulk_update(
                    partial, ["owner", "created", "head", "meta", "meta_original", "head_vector"], batch_size=BATCH
                )
        written += len(full) + len(partial)
    return written


def search_document_rebuild_all(*, owner_id: int | None = None) -> int:
    """Index every link (of one owner, or all): for backfills and after changing the tokeniser."""
    links = Link.objects.order_by("pk")
    if owner_id is not None:
        links = links.filter(owner_id=owner_id)
    ids = list(links.values_list("pk", flat=True))
    return search_document_refresh(link_ids=ids)
