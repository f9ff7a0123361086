from django.shortcuts import render

from .search import search_pages


def search(request):
    query = request.GET.get("q", "").strip()
    results = search_pages(query) if query else []
    return render(request, "content/search.html", {"query": query, "results": results})
