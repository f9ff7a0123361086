"""Site search across study modules, lessons and emergency-science materials.

Wagtail's search backends split text on spaces and punctuation, so a run of Chinese text is indexed as one
token and a query for "消防" misses "医疗机构消防安全管理". The search therefore adds substring matches on the text
that Wagtail's index already holds (title and body of each entry), and ranks title matches first.
"""

import logging
import re

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.db.models import Q
from wagtail.models import Page
from wagtail.search.models import IndexEntry

MAX_QUERY = 50
OPERATORS = re.compile(r"[\"'*()^:{}\[\]\\+\-~<>=|&!?/]+")
logger = logging.getLogger("elearn.search")


def _searchable_types():
    """The page types the site search covers (settings.ELEARN_SEARCH_PAGE_TYPES: the kernel names the apps' page
    types, it does not import them)."""
    return [apps.get_model(label) for label in settings.ELEARN_SEARCH_PAGE_TYPES]


def _text_field(name: str) -> str:
    # The PostgreSQL index stores tsvectors in title/body and plain-text mirrors in title_text/body_text.
    fields = {f.name for f in IndexEntry._meta.get_fields()}
    return f"{name}_text" if f"{name}_text" in fields else name


def _terms(query: str) -> list[str]:
    """Words of the query without the search backends' operator characters (a stray quote is an SQL error in
    SQLite's FTS syntax)."""
    cleaned = OPERATORS.sub(" ", (query or "")[:MAX_QUERY])
    return [t for t in cleaned.split() if t.upper() not in {"AND", "OR", "NOT"}][:5]


def search_pages(query: str, *, limit: int = 50) -> list[Page]:
    terms = _terms(query)
    if not terms:
        return []
    text = " ".join(terms)
    types = _searchable_types()
    pages = Page.objects.live().public().type(*types)
    found: dict[int, Page] = {}
    try:
        with transaction.atomic():
            for page in pages.search(text)[:limit]:
                found[page.pk] = page
    except DatabaseError:
        logger.warning("search backend refused %r", text)
    content_types = ContentType.objects.get_for_models(*types).values()
    title, body = _text_field("title"), _text_field("body")
    entries = IndexEntry.objects.filter(content_type__in=content_types)
    for term in terms:  # every word must appear, in the title or the body
        entries = entries.filter(Q(**{f"{title}__icontains": term}) | Q(**{f"{body}__icontains": term}))
    title_hits = set(entries.filter(**{f"{title}__icontains": terms[0]}).values_list("object_id", flat=True)[:limit])
    ids = [int(i) for i in entries.values_list("object_id", flat=True)[: limit * 2] if str(i).isdigit()]
    for page in pages.filter(pk__in=ids).order_by("path")[:limit]:
        found.setdefault(page.pk, page)
    ordered = sorted(found.values(), key=lambda p: (str(p.pk) not in title_hits and terms[0] not in p.title, p.path))
    return [p.specific for p in ordered[:limit]]
