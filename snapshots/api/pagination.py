"""Pages of the link list. Ranked search results are paged without counting every match."""

from __future__ import annotations

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from snapshots.search import RankedResults


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
        if not isinstance(queryset, RankedResults):
            self._search = False
            return super().paginate_queryset(queryset, request, view)
        self._search, self.request = True, request
        size = self.get_page_size(request)
        try:
            self._number = max(int(request.query_params.get(self.page_query_param, 1)), 1)
        except ValueError:
            self._number = 1
        start = (self._number - 1) * size
        fetched = list(queryset[start : start + size + 1])
        self._has_next = len(fetched) > size
        page = fetched[:size]
        if not page and start:
            raise NotFound(self.invalid_page_message.format(page_number=self._number, message=""))
        self._count = None if self._has_next else start + len(page)
        return page

    def get_paginated_response(self, data):
        if not self._search:
            return super().get_paginated_response(data)
        url = self.request.build_absolute_uri()

        def at(number: int) -> str:
            if number == 1:
                return remove_query_param(url, self.page_query_param)
            return replace_query_param(url, self.page_query_param, number)

        return Response(
            {
                "count": self._count,
                "next": at(self._number + 1) if self._has_next else None,
                "previous": at(self._number - 1) if self._number > 1 else None,
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
