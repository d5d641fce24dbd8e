"""Pages of the link list. Ranked search results are paged without counting every match, and the
link list and search hand out cursors, so a deep page costs what the first one does."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from snapshots.paging import Position, UncountedPage
from snapshots.search.ranked import RankedResults


class LinkPagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`, numbered pages of 20 (up to 100).

    For `?q=` searches `count` is exact only when the last page is reached (or nothing
    matches) and `null` otherwise: counting every match of a common word, or checking a
    long Chinese term in every page that holds its characters, costs far more than a page.
    The HTML search page works the same way (newer/older, no total).
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self._page = None
        if not isinstance(queryset, RankedResults):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        number = request.query_params.get(self.page_query_param)
        self._page = UncountedPage(queryset, number, self.get_page_size(request))
        if not self._page.object_list and self._page.has_previous():
            raise NotFound(self.invalid_page_message.format(page_number=self._page.number, message=""))
        return self._page.object_list

    def get_paginated_response(self, data):
        if self._page is None:
            return super().get_paginated_response(data)
        url, page = self.request.build_absolute_uri(), self._page

        def at(number: int) -> str:
            if number == 1:
                return remove_query_param(url, self.page_query_param)
            return replace_query_param(url, self.page_query_param, number)

        return Response(
            {
                "count": None if page.has_next() else page.start + len(page.object_list),
                "next": at(page.next_page_number()) if page.has_next() else None,
                "previous": at(page.previous_page_number()) if page.has_previous() else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "description": "Number of links; null for a search whose last page has not been reached.",
        }
        return described


class LinkCursorPagination(LinkPagination):
    """The link list and search: numbered pages as above, and `next` is always a cursor link.

    A numbered page skips every link before it (`OFFSET`): page 300 of a search read 6,000
    matches to show 20. A cursor holds where its page ended (`paging.Position`) and the next
    page starts there through the index. `?page=` keeps working for clients that count pages;
    `previous` goes back by page number (a cursor knows how many links came before it).
    """

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        raw = request.query_params.get(self.cursor_query_param)
        self._cursor = None
        if raw is None:
            results = super().paginate_queryset(queryset, request, view)
            numbered = self._page or self.page
            self._more = numbered.has_next()
            self._offset = self._page.start if self._page else numbered.start_index() - 1
        else:
            try:
                self._cursor = Position.decode(raw)
            except ValueError:
                message = _("This cursor is not valid: follow a next link as it is.")
                raise ValidationError({self.cursor_query_param: [message]}) from None
            self._ranked = isinstance(queryset, RankedResults)
            if self._ranked:
                queryset = queryset.after(self._cursor)
            else:
                self._total = queryset.count()
                queryset = queryset.filter(self._cursor.older)
            size = self.get_page_size(request)
            fetched = list(queryset[: size + 1])
            results, self._more, self._offset = fetched[:size], len(fetched) > size, self._cursor.offset
        self._results = results
        return results

    def get_paginated_response(self, data):
        if self._cursor is None:
            response = super().get_paginated_response(data)
        else:
            response = Response({"count": self._count(), "next": None, "previous": self._previous(), "results": data})
        response.data["next"] = self._next()
        return response

    def _count(self) -> int | None:
        if not self._ranked:
            return self._total
        return None if self._more else self._offset + len(self._results)

    def _previous(self) -> str | None:
        """The numbered page just before this one (page size and offset may not line up)."""
        number = -(-self._offset // self.get_page_size(self.request))
        if number < 1:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def _next(self) -> str | None:
        if not self._more or not self._results:
            return None
        last = self._results[-1]
        position = Position(
            getattr(last, "search_class", 0), last.created, last.pk, self._offset + len(self._results)
        )
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, position.encode())

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["next"]["description"] = (
            "The next page, as a link with an opaque `cursor`: follow it as it is. "
            "Deep pages cost no more than the first."
        )
        described["properties"]["previous"]["description"] = "The page before, by page number."
        return described

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the opaque value of a `next` link (instead of `page`).",
                "schema": {"type": "string"},
            },
        ]
