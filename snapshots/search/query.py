"""Search over links: query syntax, matching, ranking. Read path; the index is built in `indexing`.

Syntax: words, "exact phrase", #tag, -exclude (any of these), site:example.com.

PostgreSQL answers from a GIN index over `head_vector || body_vector` (see `indexing` for
why the vectors hold CJK character pairs), and the title/tag class from a second one over the
title and tag lexemes alone: the index narrows to rows with every token, then
phrases and CJK words are verified as substrings of the stored text, which only touches
those candidates. Ranking is deliberately not `ts_rank`: ranking every row that matches a
common word would read each row's whole vector. Instead the order is a weight class — do
the terms occur in the title or tags (a check of the small head vector) — then recency,
with the page's LIMIT; `ranked` says how each class is fetched without a walk that never ends.
SQLite has neither tsvector nor GIN; there the same query becomes case-insensitive regular
expressions over the same stored text: same results, slower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import idna
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower, StrIndex
from django.db.models.lookups import GreaterThan
from taggit.models import Tag

from snapshots.fields import TsVectorField
from snapshots.models import Link, TaggedLink
from snapshots.search.folding import fold, variants
from snapshots.search.indexing import CJK_RANGES, normalize, query_tokens
from snapshots.search.ranked import RankClass, RankedResults

_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"'})
# A Latin word boundary on SQLite: the neighbour is not a letter or digit of a non-CJK script.
_WORDCHAR = rf"(?:(?![{CJK_RANGES}])[^\W_])"
_CJK_CHAR = re.compile(f"[{CJK_RANGES}]")


@dataclass(frozen=True)
class TextTerm:
    text: str
    tokens: tuple[tuple[str, bool], ...]

    @property
    def is_word(self) -> bool:
        """One whole Latin token: the index alone decides, no substring check needed."""
        return len(self.tokens) == 1 and not self.tokens[0][1] and self.tokens[0][0] == self.text.casefold()


@dataclass
class ParsedQuery:
    include: list[TextTerm] = field(default_factory=list)
    exclude: list[TextTerm] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    not_tags: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    not_sites: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.include, self.exclude, self.tags, self.not_tags, self.sites, self.not_sites))


def _site_host(value: str) -> str:
    host = value.strip().strip("/").lower()
    host = host.split("://", 1)[-1].split("/", 1)[0]
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return host


def parse_query(query: str) -> ParsedQuery:
    """Split the search box into terms; anything unrecognised is a plain word."""
    parsed = ParsedQuery()
    text = normalize(query.translate(_QUOTES))
    for match in _TERM.finditer(text):
        negative, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        if phrase is None and word.startswith("#") and len(word) > 1:
            (parsed.not_tags if negative else parsed.tags).append(word[1:])
            continue
        if phrase is None and word.lower().startswith("site:") and len(word) > 5:
            (parsed.not_sites if negative else parsed.sites).append(_site_host(word[5:]))
            continue
        value = fold(normalize(phrase if phrase is not None else word))  # as the stored text is
        tokens = tuple(query_tokens(value))
        if tokens:
            (parsed.exclude if negative else parsed.include).append(TextTerm(value, tokens))
    return parsed


def _tsquery(terms: list[TextTerm], weights: str = "") -> str:
    parts = []
    for term in terms:
        for token, prefix in term.tokens:
            parts.append(f"'{token}':{'*' if prefix else ''}{weights}" if prefix or weights else f"'{token}'")
    return " & ".join(parts)


class TsMatch(Func):
    """`vector @@ 'literal'::tsquery` with the query given as a literal built from our tokens."""

    output_field = BooleanField()

    def __init__(self, vector, query: str):
        super().__init__(vector)
        self.query = query

    def as_sql(self, compiler, connection, **extra_context):
        vector_sql, params = compiler.compile(self.source_expressions[0])
        return f"({vector_sql} @@ %s::tsquery)", [*params, self.query]


def _document_vector(*, indexed: bool = True) -> Func:
    """`head || body`, the expression searchdoc_vector_gin indexes. `indexed=False` writes
    `body || head`: the same lexemes, but no index covers it, so PostgreSQL tests it row by row
    (the bounded walks of `ranked`) instead of reading every match from the index to sort them."""
    vectors = ("head_vector", "body_vector") if indexed else ("body_vector", "head_vector")
    return Func(
        *(F(f"search_document__{name}") for name in vectors),
        arg_joiner=" || ",
        template="(%(expressions)s)",
        output_field=TsVectorField(),
    )


def _title_vector() -> Func:
    """The title (A) and tag (B) lexemes of the head vector, as indexed by searchdoc_title_gin."""
    return Func(
        F("search_document__head_vector"),
        template="ts_filter(%(expressions)s, '{a,b}')",
        output_field=TsVectorField(),
    )


def _contains(term: TextTerm, columns: tuple[str, ...]) -> Q:
    """Substring (or, on SQLite for a word, whole-word) match in the stored text columns."""
    q = Q()
    if connection.vendor == "postgresql":
        # strpos(), not ILIKE: the planner guesses a LIKE '%…%' on long text to be very selective
        # and would verify every index candidate of a common word; for strpos() > 0 it assumes
        # a third of the rows match and keeps walking the newest links until the page is full.
        needle = term.text
        cased = needle.lower() != needle.upper()
        for column in columns:
            haystack = Lower(F(f"search_document__{column}")) if cased else F(f"search_document__{column}")
            q |= Q(GreaterThan(StrIndex(haystack, Value(needle.lower() if cased else needle)), 0))
        return q
    pattern = re.escape(term.text)
    if term.is_word and not _CJK_CHAR.match(term.text):
        pattern = rf"(?<!{_WORDCHAR}){pattern}(?!{_WORDCHAR})"
    for column in columns:
        q |= Q(**{f"search_document__{column}__iregex": pattern})
    return q


ALL_COLUMNS = ("head", "meta", "body")


def _term_condition(term: TextTerm) -> Q | Combinable:
    if connection.vendor != "postgresql":
        return _contains(term, ALL_COLUMNS)
    indexed = TsMatch(_document_vector(), _tsquery([term]))
    return indexed if term.is_word else Q(indexed) & _contains(term, ALL_COLUMNS)


def _site_regex(host: str) -> str:
    return r"^https?://([^/]*\.)?" + re.escape(host) + r"(:[0-9]+)?([/?#]|$)"


def _tagged(name: str) -> Exists:
    """Has a tag of this name (any case). The tag ids are looked up first, so the test is a
    lookup in the taggings' (tag, link) index, which also gives every link of the tag at once
    when a search reads from the index (`ranked`) instead of reading every tagging."""
    ids = list(Tag.objects.filter(name__iexact=name).values_list("pk", flat=True))
    return Exists(TaggedLink.objects.filter(content_object=OuterRef("pk"), tag_id__in=ids))


def _in_head(parsed: ParsedQuery, *, indexed: bool) -> Q | Combinable:
    """The weight class test: every term occurs in the title or tags.

    Indexed, it asks the title index; otherwise it tests the head vector's A/B lexemes in
    place (the head vector alone has no index), which is cheaper per row than building the
    title-only vector.
    """
    if connection.vendor == "postgresql":
        if indexed:
            match = TsMatch(_title_vector(), _tsquery(parsed.include))
        else:
            match = TsMatch(F("search_document__head_vector"), _tsquery(parsed.include, weights="AB"))
        q = Q(match)
        for term in parsed.include:
            if not term.is_word:
                q &= _contains(term, ("head",))
        return q
    q = Q()
    for term in parsed.include:
        q &= _contains(term, ("head",))
    return q


def _matching(
    links: QuerySet[Link], parsed: ParsedQuery, *, text: bool = True, indexed: bool = True
) -> QuerySet[Link]:
    """Links passing every condition; with `text=False`, all but the included text terms."""
    if text and connection.vendor == "postgresql" and parsed.include:
        links = links.filter(TsMatch(_document_vector(indexed=indexed), _tsquery(parsed.include)))
    for term in parsed.include if text else ():
        if connection.vendor != "postgresql" or not term.is_word:
            links = links.filter(_contains(term, ALL_COLUMNS))
    for term in parsed.exclude:
        links = links.exclude(_term_condition(term))
    for name in parsed.tags:
        links = links.filter(_tagged(name))
    for name in parsed.not_tags:
        links = links.exclude(_tagged(name))
    return _on_sites(links, parsed)


def _on_sites(links: QuerySet[Link], parsed: ParsedQuery) -> QuerySet[Link]:
    for host in parsed.sites:
        links = links.filter(url__iregex=_site_regex(host))
    for host in parsed.not_sites:
        links = links.exclude(url__iregex=_site_regex(host))
    return links


def search_links(links: QuerySet[Link], query: str) -> QuerySet[Link] | RankedResults:
    """Filter an owner's already-scoped links (a share uses `search_shared`) and rank them.

    Callers scope first: this function never widens `links`. Results come ordered by
    `search_class` (0 = every term in the title or tags) then newest first. With text terms
    the result is a `RankedResults` (slice, count or iterate it, as a paginator does); with
    only #tag/site: filters it stays a QuerySet. An empty query changes nothing.
    """
    parsed = parse_query(query or "")
    if not parsed:
        return links
    if not parsed.include:
        return _matching(links, parsed).annotate(search_class=Value(0)).order_by("-created", "-id")
    # Terms found in the title or tags are found in the document: the title class skips the
    # whole-document test, which would read each candidate's page-text vector.
    other_filters = _matching(links, parsed, text=False)
    return RankedResults(
        links,
        titles=RankClass(
            indexed=other_filters.filter(_in_head(parsed, indexed=True)),
            walked=other_filters.filter(_in_head(parsed, indexed=False)),
            newest=links,
        ),
        others=RankClass(
            indexed=_matching(links, parsed).exclude(_in_head(parsed, indexed=True)),
            walked=_matching(links, parsed, indexed=False).exclude(_in_head(parsed, indexed=False)),
            newest=links,
        ),
    )


# What a visitor of a public share can see of a link, hence all a share search may look at:
# notes are private and the owner's other tags are not shown, so neither is ever searched.
PUBLIC_FIELDS = ("title", "url", "description", "search_document__body")


def _any_script(text: str) -> str:
    """`text` as a regex matching it in Traditional or Simplified characters: 报告 → [报報]告.
    The link's title and description are matched as written, not folded."""
    return "".join(
        re.escape(char) if len(forms := variants(char)) == 1 else f"[{forms}]" for char in text
    )


def _visible_pattern(term: TextTerm) -> str:
    """The term as a case-insensitive regex, with word boundaries where it starts or ends with
    a Latin letter or digit (a CJK term may sit anywhere in a run of CJK text)."""
    body = _any_script(term.text)
    latin_start = bool(re.match(r"[^\W_]", term.text)) and not _CJK_CHAR.match(term.text)
    latin_end = bool(re.search(r"[^\W_]$", term.text)) and not _CJK_CHAR.match(term.text[-1])
    if connection.vendor == "postgresql":
        return ("\\m" if latin_start else "") + body + ("\\M" if latin_end else "")
    return (f"(?<!{_WORDCHAR})" if latin_start else "") + body + (f"(?!{_WORDCHAR})" if latin_end else "")


def _visible(term: TextTerm, fields: tuple[str, ...] = PUBLIC_FIELDS) -> Q:
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__iregex": _visible_pattern(term)})
    return q


def search_shared(links: QuerySet[Link], query: str) -> QuerySet[Link] | RankedResults:
    """Search inside a public share with the syntax of `search_links` (#tag is ignored),
    matched against what visitors can see only: title, URL, description and page text.

    The index still narrows the candidates: it holds notes and every tag too, but a visible
    match implies every token the index is asked for (CJK pairs of the text, whole words at
    word boundaries), so asking it drops only links that cannot match and never reveals what
    the private parts contain. Ranked like `search_links`: title matches first.
    """
    parsed = parse_query(query or "")
    for term in parsed.exclude:
        links = links.exclude(_visible(term))
    links = _on_sites(links, parsed)
    if not parsed.include:
        return links.annotate(search_class=Value(0)).order_by("-created", "-id")
    matching, walked = links, links
    if connection.vendor == "postgresql":
        matching = matching.filter(TsMatch(_document_vector(), _tsquery(parsed.include)))
        walked = walked.filter(TsMatch(_document_vector(indexed=False), _tsquery(parsed.include)))
    in_title, visible = Q(), Q()
    for term in parsed.include:
        visible &= _visible(term)
        in_title &= _visible(term, ("title",))
    matching, walked = matching.filter(visible), walked.filter(visible)
    return RankedResults(
        links,
        titles=RankClass(indexed=matching.filter(in_title), walked=walked.filter(in_title), newest=links),
        others=RankClass(indexed=matching.exclude(in_title), walked=walked.exclude(in_title), newest=links),
    )
