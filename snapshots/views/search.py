"""The search page: ranked results with highlighted excerpts. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from snapshots import rows, selectors
from snapshots.excerpts import excerpts_for

PAGE_SIZE = 20


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Results with prev/next pages and no total: counting every match costs more than a page."""
    query = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "").strip()
    try:
        number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        number = 1
    context = {"query": query, "tag": tag, "results": None, "number": number}
    if query or tag:
        links = selectors.link_list(
            owner=request.user, tag=tag or None, query=query or None, fields=rows.LINK_FIELDS
        )
        start = (number - 1) * PAGE_SIZE
        fetched = list(links[start : start + PAGE_SIZE + 1])
        results = rows.link_rows(fetched[:PAGE_SIZE])
        excerpts = excerpts_for([row.link.pk for row in results], query)
        for row in results:
            row.excerpt = excerpts.get(row.link.pk, "")
        context.update(results=results, has_next=len(fetched) > PAGE_SIZE, has_previous=number > 1)
    return render(request, "snapshots/search.html", context)
