"""Links from a question's source (law + article) to the study lesson where that article is read.

Uses the courses app's `law_article_url` (imported statutes keep an article index), so a question citing
《中华人民共和国安全生产法》第二十一条 links to .../chapter-3/#article-21 once that statute has been imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_ARTICLE = re.compile(r"^第([零〇一二两三四五六七八九十百千\d]+)条")


def lesson_url(law: str, article: str) -> str:
    """The lesson URL for `law` + `article` ("第二十一条"), or "" when the statute or article is not imported."""
    match = _ARTICLE.match(article or "")
    if not law or not match:
        return ""
    try:
        from content.numerals import cn_to_int
        from courses.selectors import law_article_url
    except ImportError:  # the study app is optional for the bank
        return ""
    try:
        number = cn_to_int(match.group(1))
    except ValueError:
        return ""
    return (law_article_url(law_title=law, number=number) or "")[:300]


def cached_resolver() -> Callable[[str, str], str]:
    """A resolver for one import: each (law, article) pair is looked up once."""
    return lru_cache(maxsize=None)(lesson_url)
