"""HTML view of the site search (content.search does the searching)."""

from django.shortcuts import render

from content.search import search_hits


def search(request):
    query = request.GET.get("q", "").strip()
    results = search_hits(query) if query else []
    return render(request, "content/search.html", {"query": query, "results": results})
