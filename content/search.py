"""Site search across study modules, lessons and emergency-science materials.

Wagtail's search backends split text on spaces and punctuation, so a run of Chinese text is indexed as one
token and a query for "消防" misses "医疗机构消防安全管理". The search therefore adds substring matches on the text
that Wagtail's index already holds (title and body of each entry), and ranks title matches first.
"""

import logging
import re
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.db.models import Q
from wagtail.models import Page
from wagtail.search.models import IndexEntry

from content.numerals import cn_to_int

MAX_QUERY = 50
SNIPPET_CONTEXT = 40
ARTICLE = re.compile(r"第([零〇一二两三四五六七八九十百千\d]+)条")
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


@dataclass
class SearchHit:
    """A result as the search page shows it: where to go (a statute's article anchor when the query names the
    article), and the passage that matched, split around the first match so the template can mark it."""

    page: Page
    url: str
    before: str = ""
    match: str = ""
    after: str = ""


def _article_number(query: str) -> int | None:
    found = ARTICLE.search(query or "")
    if not found:
        return None
    try:
        return cn_to_int(found.group(1))
    except ValueError:
        return None


def _article_block(page, number: int):
    for block in getattr(page, "body", None) or []:
        if block.block_type == "law_article" and getattr(block.value, "number_int", None) == number:
            return block.value
    return None


def _cut(text: str, term: str) -> tuple[str, str, str]:
    text = " ".join((text or "").split())
    at = text.find(term) if term else -1
    if at < 0:
        return text[: SNIPPET_CONTEXT * 2] + ("…" if len(text) > SNIPPET_CONTEXT * 2 else ""), "", ""
    start, end = max(0, at - SNIPPET_CONTEXT), at + len(term) + SNIPPET_CONTEXT
    return (
        ("…" if start else "") + text[start:at],
        text[at : at + len(term)],
        text[at + len(term) : end] + ("…" if end < len(text) else ""),
    )


def search_hits(query: str, *, limit: int = 50) -> list[SearchHit]:
    """search_pages, with a passage per result; a query naming an article (第二十一条) leads to the article itself
    (url#article-21, its text as the passage) and puts the lessons holding that article first."""
    pages = search_pages(query, limit=limit)
    if not pages:
        return []
    terms = _terms(query)
    number = _article_number(query)
    bodies = dict(
        IndexEntry.objects.filter(object_id__in=[str(p.pk) for p in pages]).values_list(
            "object_id", _text_field("body")
        )
    )
    hits, article_hits = [], []
    for page in pages:
        url = page.url or ""
        article = _article_block(page, number) if number is not None else None
        if article is not None:
            passage = _cut(article.get("text", ""), "")[0]
            article_hits.append(
                SearchHit(page, f"{url}#{article.anchor}", "", article.get("number", ""), " " + passage)
            )
            continue
        term = next((t for t in terms if t in (bodies.get(str(page.pk)) or "")), "")
        hits.append(SearchHit(page, url, *_cut(bodies.get(str(page.pk)) or getattr(page, "summary", "") or "", term)))
    return article_hits + hits
