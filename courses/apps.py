"""The study app: courses of lessons (Wagtail pages), law-text import, reading progress and badges."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("学习")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses import home  # noqa: F401  (registers the home page section)
        from elearn.org.me_sections import register

        register("courses/includes/me_study.html")

        # The study pages' reader context (page models do not import the selectors that read their rows).
        from courses import views
        from courses.models import CourseIndexPage, CoursePage, LessonPage

        CourseIndexPage.reader_context = views.course_index_page_context
        CoursePage.reader_context = views.course_page_context
        LessonPage.reader_context = views.lesson_page_context
