"""Statute import: Markdown or plain text (第X章 chapters, optional 第X节 sections, 第X条 articles) -> a CoursePage
with one LessonPage per chapter and one law-article block per article.

Parsing is pure (`parse_statute`); `import_statute` writes pages. Re-importing the same statute (matched by its
full title) updates the module in place and reports which articles were added, changed or removed; importing an
unchanged text writes nothing. Every article keeps a stable anchor: <lesson url>#article-<n>.
"""

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from content.blocks import StudyStreamBlock
from content.numerals import CHINESE_NUMERAL_CHARS, cn_to_int, int_to_cn
from courses.exceptions import LawImportError
from courses.models import CourseIndexPage, CoursePage, LessonPage
from courses.signals import statute_imported
from elearn.spreadsheets import control_character

NUM = rf"([{CHINESE_NUMERAL_CHARS}0-9]+)"
# After 第X章/节/条: a space (ASCII, U+3000, NBSP), a colon (：or :), or the text straight away, as copies of
# official texts from web pages and Word documents have them.
AFTER = r"(?:[\s\u3000\u00a0]*[：:][\s\u3000\u00a0]*|[\s\u3000\u00a0]+|(?=[^\s之]))"
GLUED_ARTICLE_RE = re.compile(rf"^第{NUM}条[^\s\u3000\u00a0：:之]")  # 第二条为了…: no separator after the number
CHAPTER_RE = re.compile(rf"^第{NUM}章(?:{AFTER}(.*))?$")
SECTION_RE = re.compile(rf"^第{NUM}节(?:{AFTER}(.*))?$")
ARTICLE_RE = re.compile(rf"^第{NUM}条(?:{AFTER}(.*)|$)")
SUB_ARTICLE_RE = re.compile(rf"^第{NUM}条之[{CHINESE_NUMERAL_CHARS}]+")  # 第一百二十条之一: an inserted article
INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")  # zero-width characters copied from web pages
CONTENTS = "目录"
HEADING_RE = re.compile(r"^#{1,6}\s+(.*)$")
VERSION_RE = re.compile(r"[（(](\d{4}-\d{2}-\d{2})[)）]")
CJK_GAP_RE = re.compile(r"(?<=[\u4e00-\u9fff])[\s\u3000]+(?=[\u4e00-\u9fff])")
MAX_BYTES = 5 * 1024 * 1024
MAX_TITLE = CoursePage._meta.get_field("law_title").max_length  # the statute's title is the module's law_title
MAX_CHAPTER_TITLE = LessonPage._meta.get_field("title").max_length
MAX_NUMERAL = 8  # 第一千二百三十四条


@dataclass
class Article:
    number: int
    label: str  # 第二十一条
    paragraphs: list[str]
    line: int
    section: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Chapter:
    number: int | None  # None: a statute without chapters
    label: str  # 第二章
    title: str  # 生产经营单位的安全生产保障
    articles: list[Article] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return f"chapter-{self.number}" if self.number is not None else "full-text"

    @property
    def full_title(self) -> str:
        return f"{self.label} {self.title}".strip() if self.label else self.title


@dataclass
class Statute:
    title: str
    version: str
    preamble: list[str]
    chapters: list[Chapter]

    @property
    def articles(self) -> list[Article]:
        return [a for c in self.chapters for a in c.articles]


def _tidy(text: str) -> str:
    return CJK_GAP_RE.sub("", text.strip())


def parse_statute(text: str, filename: str = "") -> Statute:
    """Parse a statute. Raises LawImportError naming the line for anything it cannot place."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    title, preamble, chapters = "", [], []
    current_article: Article | None = None
    current_section = ""
    seen_articles: dict[int, int] = {}

    def chapter_for_article() -> Chapter:
        if not chapters:
            chapters.append(Chapter(number=None, label="", title=_("全文")))
        return chapters[-1]

    for lineno, raw in enumerate(lines, start=1):
        line = INVISIBLE_RE.sub("", raw).replace("**", "").strip()  # Markdown bold carries no meaning in a statute
        if not line or line.startswith("<!--"):
            continue
        if _tidy(line.lstrip("# ")) == CONTENTS:
            continue  # a table of contents' heading; its chapter lines are dropped when the real chapters start
        if bad := control_character(line):
            raise LawImportError(
                _("第 %(line)d 行：含有不可见的控制字符 %(char)s，请删除后重试。") % {"line": lineno, "char": bad}
            )
        heading = HEADING_RE.match(line)
        if heading:
            line = heading.group(1).strip()
            if not title and not CHAPTER_RE.match(line) and not ARTICLE_RE.match(line):
                title = _checked_title(_tidy(line), lineno)
                continue
        if match := CHAPTER_RE.match(line):
            number = _number(match.group(1), lineno)
            if chapters and chapters[-1].number is None:
                raise LawImportError(_("第 %(line)d 行：正文开始后才出现第一个章标题。") % {"line": lineno})
            if chapters and number <= chapters[-1].number:
                if seen_articles:
                    raise LawImportError(
                        _("第 %(line)d 行：章序号“第%(n)s章”重复或倒序。") % {"line": lineno, "n": match.group(1)}
                    )
                chapters = []  # the chapters listed so far were a table of contents (目录): start again
            chapter = Chapter(number=number, label=f"第{match.group(1)}章", title=_tidy(match.group(2) or ""))
            if len(chapter.full_title) > MAX_CHAPTER_TITLE:
                raise LawImportError(
                    _("第 %(line)d 行：章标题超过 %(n)d 个字。") % {"line": lineno, "n": MAX_CHAPTER_TITLE}
                )
            chapters.append(chapter)
            current_article, current_section = None, ""
            continue
        if match := SECTION_RE.match(line):
            current_section = f"第{match.group(1)}节 {_tidy(match.group(2) or '')}".strip()
            current_article = None
            continue
        if SUB_ARTICLE_RE.match(line):
            raise LawImportError(
                _("第 %(line)d 行：暂不支持“%(text)s”这种插入条文，请改为连续条号后再导入。")
                % {"line": lineno, "text": SUB_ARTICLE_RE.match(line).group(0)}
            )
        if (match := ARTICLE_RE.match(line)) and GLUED_ARTICLE_RE.match(line) and current_article is not None:
            # No separator after 第X条: the next article, or a paragraph that begins by citing an article
            # ("第十条规定的单位……"); only the next number in sequence is taken as an article.
            if _number(match.group(1), lineno) != max(seen_articles) + 1:
                match = None
        if match:
            number = _number(match.group(1), lineno)
            if number in seen_articles:
                raise LawImportError(
                    _("第 %(line)d 行：第%(n)s条重复（第 %(first)d 行已有）。")
                    % {"line": lineno, "n": match.group(1), "first": seen_articles[number]}
                )
            last = max(seen_articles) if seen_articles else 0
            if number < last:
                raise LawImportError(
                    _("第 %(line)d 行：第%(n)s条的条号小于前一条。") % {"line": lineno, "n": match.group(1)}
                )
            if last and number != last + 1:
                # Official texts number their articles without gaps: a gap means an article this parser could not
                # see (a form it does not know), which would otherwise vanish into the previous article.
                raise LawImportError(
                    _("第 %(line)d 行：第%(n)s条之前缺少第%(missing)s条（条号应连续；请检查上一条附近的格式）。")
                    % {"line": lineno, "n": match.group(1), "missing": int_to_cn(last + 1)}
                )
            seen_articles[number] = lineno
            body = (match.group(2) or "").strip()
            current_article = Article(
                number=number,
                label=f"第{match.group(1)}条",
                paragraphs=[body] if body else [],
                line=lineno,
                section=current_section,
            )
            chapter_for_article().articles.append(current_article)
            continue
        if current_article is not None:
            current_article.paragraphs.append(line)
        elif not chapters:
            if not title:
                title = _checked_title(_tidy(line), lineno)
            else:
                preamble.append(line)
        else:
            raise LawImportError(
                _("第 %(line)d 行：无法归入任何条文：“%(text)s”。") % {"line": lineno, "text": line[:30]}
            )
    if not title:
        title = _tidy(re.sub(VERSION_RE, "", Path(filename).stem))[:MAX_TITLE] if filename else ""
    if not title:
        raise LawImportError(_("找不到法规名称（第一行应为法规名称）。"))
    if not seen_articles:
        raise LawImportError(_("没有找到任何“第X条”。"))
    for chapter in chapters:
        if not chapter.articles:
            raise LawImportError(_("%(chapter)s 下没有条文。") % {"chapter": chapter.full_title})
    version = VERSION_RE.search(Path(filename).name) if filename else None
    return Statute(title=title, version=version.group(1) if version else "", preamble=preamble, chapters=chapters)


def _checked_title(title: str, lineno: int) -> str:
    if len(title) > MAX_TITLE:
        raise LawImportError(_("第 %(line)d 行：法规名称超过 %(n)d 个字。") % {"line": lineno, "n": MAX_TITLE})
    return title


def _number(numeral: str, lineno: int) -> int:
    """A chapter or article number; a numeral longer than any statute uses is refused, not computed."""
    if len(numeral) > MAX_NUMERAL:
        raise LawImportError(_("第 %(line)d 行：序号“%(n)s…”过长，无法识别。") % {"line": lineno, "n": numeral[:10]})
    return cn_to_int(numeral)


# --- writing pages -----------------------------------------------------------------------------------------


@dataclass
class LawImportReport:
    title: str
    course: CoursePage | None
    created: bool
    article_count: int
    chapter_counts: list[tuple[str, int]]
    added: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    lessons_written: int = 0
    dry_run: bool = False

    @property
    def unchanged(self) -> bool:
        return not self.created and not (self.added or self.changed or self.removed) and not self.lessons_written

    def summary(self) -> str:
        def fmt(numbers):
            return ", ".join(str(n) for n in numbers[:30]) + (" ..." if len(numbers) > 30 else "")

        head = f"{self.title}: {self.article_count} articles in {len(self.chapter_counts)} chapter(s)"
        if self.created:
            return f"{head}; created"
        if self.unchanged:
            return f"{head}; no change"
        parts = [f"added {len(self.added)}", f"changed {len(self.changed)}", f"removed {len(self.removed)}"]
        detail = [
            f"{label} [{fmt(nums)}]"
            for label, nums in (("added", self.added), ("changed", self.changed), ("removed", self.removed))
            if nums
        ]
        return (
            f"{head}; "
            + ", ".join(parts)
            + (" — " + "; ".join(detail) if detail else "")
            + f"; lessons rewritten {self.lessons_written}"
        )


def _slug_for(title: str) -> str:
    return "law-" + hashlib.sha1(title.encode()).hexdigest()[:8]


def _lesson_body(statute: Statute, chapter: Chapter):
    block = StudyStreamBlock()
    items, section = [], ""
    for article in chapter.articles:
        if article.section and article.section != section:
            section = article.section
            items.append(("heading", block.child_blocks["heading"].to_python({"text": section, "size": "h3"})))
        value = {"law_name": statute.title, "number": article.label, "text": article.text, "key_point": ""}
        items.append(("law_article", block.child_blocks["law_article"].to_python(value)))
    return items


def _existing_articles(course: CoursePage) -> dict[int, tuple[str, str]]:
    """{article number: (text, lesson slug)} as stored in the module's lessons."""
    found = {}
    for lesson in LessonPage.objects.child_of(course).live():
        for child in lesson.body:
            if child.block_type == "law_article" and child.value.number_int is not None:
                found[child.value.number_int] = (child.value.get("text", ""), lesson.slug)
    return found


def _lesson_signature(lesson: LessonPage) -> list:
    return [
        (c.block_type, dict(c.value))
        if c.block_type == "heading"
        else (c.block_type, c.value.get("number"), c.value.get("text"))
        for c in lesson.body
    ]


def _wanted_signature(items) -> list:
    return [(t, dict(v)) if t == "heading" else (t, v.get("number"), v.get("text")) for t, v in items]


def import_statute(
    *, text: str, filename: str = "", index_page: CourseIndexPage | None = None, user=None, dry_run: bool = False
) -> LawImportReport:
    """Create or update the module for one statute. Returns what changed; writes nothing when nothing did."""
    statute = parse_statute(text, filename)
    report = _import_statute(statute, index_page=index_page, user=user, dry_run=dry_run)
    if not dry_run:
        # The bank (quizzes) relinks the questions citing this statute; in the caller's transaction, if any.
        statute_imported.send(sender=CoursePage, law_title=statute.title)
    return report


def _import_statute(statute, *, index_page, user, dry_run) -> LawImportReport:
    with transaction.atomic():
        course = CoursePage.objects.filter(law_title=statute.title).first()
        new = {a.number: (a.text, c.slug) for c in statute.chapters for a in c.articles}
        report = LawImportReport(
            title=statute.title,
            course=course,
            created=course is None,
            article_count=len(new),
            chapter_counts=[(c.full_title, len(c.articles)) for c in statute.chapters],
            dry_run=dry_run,
        )
        if course is not None:
            old = _existing_articles(course)
            report.added = sorted(set(new) - set(old))
            report.removed = sorted(set(old) - set(new))
            report.changed = sorted(n for n in set(new) & set(old) if new[n][0] != old[n][0])
        if dry_run:
            return report
        if course is None:
            index_page = index_page or CourseIndexPage.objects.first()
            if index_page is None:
                raise LawImportError(_("请先创建“学习首页”（CourseIndexPage）。"))
            chars = sum(len(a.text) for a in statute.articles)
            course = CoursePage(
                title=statute.title,
                slug=_slug_for(statute.title),
                kind=CoursePage.Kind.LAW,
                law_title=statute.title,
                law_version=statute.version,
                summary="\n".join(statute.preamble)[:500],
                estimated_minutes=max(5, math.ceil(chars / 400)),
            )
            index_page.add_child(instance=course)
            report.course = course
        index = {str(n): slug for n, (_text, slug) in new.items()}
        if course.article_index != index or course.law_version != (statute.version or course.law_version):
            course.article_index = index
            course.law_version = statute.version or course.law_version
            course.save_revision(user=user).publish()
        elif not course.live:
            course.save_revision(user=user).publish()
        existing = {p.slug: p for p in LessonPage.objects.child_of(course)}
        wanted_slugs = []
        for chapter in statute.chapters:
            items = _lesson_body(statute, chapter)
            wanted_slugs.append(chapter.slug)
            lesson = existing.get(chapter.slug)
            if lesson is None:
                lesson = LessonPage(title=chapter.full_title, slug=chapter.slug, chapter=chapter.number, body=items)
                course.add_child(instance=lesson)
                lesson.save_revision(user=user).publish()
                report.lessons_written += 1
                continue
            if (
                lesson.live
                and lesson.title == chapter.full_title
                and _lesson_signature(lesson) == _wanted_signature(items)
            ):
                continue
            lesson.title, lesson.chapter, lesson.body = chapter.full_title, chapter.number, items
            lesson.save_revision(user=user).publish()
            report.lessons_written += 1
        for slug, lesson in existing.items():
            if slug not in wanted_slugs and lesson.live and (slug.startswith("chapter-") or slug == "full-text"):
                lesson.unpublish(user=user)
                report.lessons_written += 1
        # Keep lessons in chapter order.
        ordered = sorted(
            LessonPage.objects.child_of(course).filter(slug__in=wanted_slugs),
            key=lambda p: wanted_slugs.index(p.slug),
        )
        for position, lesson in enumerate(ordered):
            siblings = list(LessonPage.objects.child_of(course).order_by("path"))
            if siblings.index(next(s for s in siblings if s.pk == lesson.pk)) != position:
                lesson.move(siblings[position], pos="left", user=user)
        return report


def read_statute_file(path: Path) -> str:
    """Read a .md/.txt statute, UTF-8 (with or without BOM) or GB18030."""
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise LawImportError(_("文件过大（超过 5 MB）：%(name)s") % {"name": path.name})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LawImportError(_("无法识别文件编码（请另存为 UTF-8）：%(name)s") % {"name": path.name})


def statute_files(directory: Path) -> list[Path]:
    return sorted(p for p in Path(directory).iterdir() if p.is_file() and p.suffix.lower() in (".md", ".txt"))
