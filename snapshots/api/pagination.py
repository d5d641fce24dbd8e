"""Pages of the link list. Ranked search results are paged without counting every match."""

from __future__ import annotations

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from snapshots.paging import UncountedPage
from snapshots.search.query import RankedResults


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
