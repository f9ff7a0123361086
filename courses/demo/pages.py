"""seed_demo step: the 学习 index, demo study modules and the emergency-science library (our own words), a few
self-check questions, some demo progress for one institution, and with --laws DIR the official statutes.

Idempotent: pages are found by slug and only re-published when their content changed."""

import datetime
import io
import json
import uuid
from pathlib import Path

from django.utils import timezone
from wagtail.images import get_image_model

from content.blocks import StudyStreamBlock
from content.models import HomePage, MaterialIndexPage, MaterialPage
from courses.demo.content import COURSES, MATERIALS, QUESTIONS
from courses.law_import import import_statute, read_statute_file, statute_files
from courses.models import CourseCompletion, CourseIndexPage, CoursePage, LessonPage, LessonProgress
from quizzes import interface as quizzes

NAMESPACE = uuid.UUID("6f1b8a5e-3c59-4f7a-9a57-0d3c2b1f8e11")


def _raw_stream(slug: str, blocks: list, question_ids: dict[str, int]) -> list[dict]:
    raw = []
    for position, (block_type, value) in enumerate(blocks):
        if block_type == "self_check":
            value = {"question": question_ids[value["question_stem"]], "intro": value["intro"]}
        raw.append({"type": block_type, "value": value, "id": str(uuid.uuid5(NAMESPACE, f"{slug}:{position}"))})
    StudyStreamBlock().to_python(raw)  # fails loudly if the demo content does not fit the blocks
    return raw


def _cover(title: str, colour: tuple[int, int, int]):
    """A plain generated cover (no text): gives the phone renditions something to work on."""
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from PIL import ImageDraw

    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    canvas = PILImage.new("RGB", (1200, 675), colour)
    draw = ImageDraw.Draw(canvas)
    for i in range(8):
        shade = tuple(min(255, c + 18 * i) for c in colour)
        draw.ellipse((760 - 40 * i, 120 - 10 * i, 1160 + 20 * i, 520 + 10 * i), outline=shade, width=14)
    draw.polygon([(180, 520), (300, 180), (360, 360), (420, 260), (520, 520)], fill=(255, 236, 179))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    image = Image(title=title)
    image.file = ImageFile(buffer, name=f"demo-{uuid.uuid5(NAMESPACE, title).hex[:8]}.png")
    image.save()
    return image


def _publish_if_changed(page, changed: bool):
    if changed or not page.live:
        page.save_revision().publish()


def _child(parent, model, slug):
    return model.objects.child_of(parent).filter(slug=slug).first()


def seed_study(stdout, options, context) -> dict:
    home: HomePage = context["home"]
    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(
            title="学习", slug="study", introduction="法律法规、标准规范、应急科普和岗位安全学习模块。"
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    library = MaterialIndexPage.objects.first()
    if library is None:
        library = MaterialIndexPage(
            title="应急科普",
            slug="library",
            introduction="火灾、燃气、危化品、电动车充电、防汛……看得懂、用得上的应急科普。",
        )
        home.add_child(instance=library)
        library.save_revision().publish()
    question_ids = quizzes.demo_questions_upsert(category_name="学习自测", specs=QUESTIONS)
    covers = {
        "law": _cover("封面：法律法规", (198, 40, 40)),
        "post": _cover("封面：岗位安全", (239, 108, 0)),
        "science": _cover("封面：应急科普", (46, 125, 50)),
    }
    for spec in COURSES:
        course = _child(index, CoursePage, spec["slug"])
        created = course is None
        fields = {
            "title": spec["title"],
            "kind": spec["kind"],
            "summary": spec["summary"],
            "estimated_minutes": spec["minutes"],
            "required": spec["required"],
            "min_reading_seconds": 60,
            "cover": covers.get(spec["kind"]),
        }
        if created:
            course = CoursePage(slug=spec["slug"], **fields)
            index.add_child(instance=course)
        changed = created or any(getattr(course, k) != v for k, v in fields.items())
        for key, value in fields.items():
            setattr(course, key, value)
        _publish_if_changed(course, changed)
        for slug, title, summary, blocks in spec["lessons"]:
            raw = _raw_stream(f"{spec['slug']}/{slug}", blocks, question_ids)
            lesson = _child(course, LessonPage, slug)
            if lesson is None:
                lesson = LessonPage(title=title, slug=slug, summary=summary, body=json.dumps(raw))
                course.add_child(instance=lesson)
                lesson.save_revision().publish()
                continue
            changed = lesson.title != title or lesson.summary != summary or list(lesson.body.raw_data) != raw
            lesson.title, lesson.summary, lesson.body = title, summary, json.dumps(raw)
            _publish_if_changed(lesson, changed)
    for spec in MATERIALS:
        material = _child(library, MaterialPage, spec["slug"])
        raw = _raw_stream(f"library/{spec['slug']}", spec["body"], question_ids)
        if material is None:
            material = MaterialPage(
                slug=spec["slug"], title=spec["title"], kind=spec["kind"], summary=spec["summary"], body=json.dumps(raw)
            )
            material.cover = covers["science"] if spec["kind"] == "poster" else None
            library.add_child(instance=material)
            material.tags.set(spec["tags"])
            material.save_revision().publish()
            continue
        changed = (
            material.title != spec["title"]
            or material.summary != spec["summary"]
            or list(material.body.raw_data) != raw
            or sorted(t.name for t in material.tags.all()) != sorted(spec["tags"])
        )
        material.title, material.summary, material.kind, material.body = (
            spec["title"],
            spec["summary"],
            spec["kind"],
            json.dumps(raw),
        )
        material.tags.set(spec["tags"])
        _publish_if_changed(material, changed)

    # Demo progress: in the demo officer's institution about half the staff have studied, some finished.
    officer = context.get("officer")
    if officer is not None and officer.institution_id:
        _seed_progress(officer.institution, index)

    laws_dir = options.get("laws") if options else None
    if laws_dir:
        for path in statute_files(Path(laws_dir)):
            report = import_statute(text=read_statute_file(path), filename=path.name, index_page=index)
            if stdout:
                stdout.write(f"  law {path.name}: {report.summary()}")
    if stdout:
        stdout.write(
            f"  study: {CoursePage.objects.live().count()} modules, {LessonPage.objects.live().count()} lessons, "
            f"{MaterialPage.objects.live().count()} materials ({index.url}, {library.url})"
        )
    return {"course_index": index, "library": library}


def _seed_progress(institution, index):
    from elearn.org.models import User

    now = timezone.now()
    staff = list(User.objects.filter(institution=institution, role=User.Role.STAFF).order_by("employee_no"))
    course = CoursePage.objects.child_of(index).filter(slug="fire-law-notes").first()
    if course is None:
        return
    lessons = list(LessonPage.objects.child_of(course).live().order_by("path"))
    for n, user in enumerate(staff[: len(staff) // 2]):
        count = len(lessons) if n % 3 == 0 else 1
        for k, lesson in enumerate(lessons[:count]):
            when = now - datetime.timedelta(days=3 - min(k, 2), minutes=n)
            LessonProgress.objects.get_or_create(
                user=user,
                lesson=lesson,
                defaults={
                    "course": course,
                    "first_opened_at": when,
                    "last_seen_at": when,
                    "active_seconds": 180,
                    "completed_at": when,
                },
            )
        if count == len(lessons):
            CourseCompletion.objects.get_or_create(user=user, course=course, defaults={"completed_at": now})
