"""Every page of the quizzes app under the one "quizzes" URL namespace (quizzes:exam_list, quizzes:play, ...).

Each area keeps its own module (urls_exams.py, urls_play.py); Django allows one include per namespace, so they are
merged here and settings.ELEARN_APP_URLCONFS mounts only this module.
"""

from importlib import import_module

app_name = "quizzes"
urlpatterns: list = []
for _module in ("quizzes.urls_exams", "quizzes.urls_play"):
    try:
        urlpatterns += import_module(_module).urlpatterns
    except ModuleNotFoundError as missing:  # an area not merged yet mounts once its module exists
        if missing.name != _module:
            raise
