"""The search page: ranked results with highlighted excerpts. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from snapshots.links import selectors
from snapshots.paging import UncountedPage
from snapshots.search.excerpts import excerpts_for
from snapshots.web import rows
from snapshots.web.views.links import rows_poll

PAGE_SIZE = 20


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Results with prev/next pages and no total: counting every match costs more than a page."""
    query = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "").strip()
    context = {"query": query, "tag": tag, "results": None, "number": 1}
    if query or tag:
        links = selectors.link_list(
            owner=request.user, tag=tag or None, query=query or None, fields=rows.LINK_FIELDS
        )
        page = UncountedPage(links, request.GET.get("page"), PAGE_SIZE)
        results = rows.link_rows(page.object_list, rows.owner_list(request.user, rows.OWNER_SEARCH))
        excerpts = excerpts_for([row.link.pk for row in results], query)
        for row in results:
            row.excerpt = excerpts.get(row.link.pk, "")
        context.update(
            results=results,
            number=page.number,
            has_next=page.has_next(),
            has_previous=page.has_previous(),
            poll=rows_poll(results),
        )
    return render(request, "snapshots/search.html", context)
