"""Every page of the quizzes app under the one "quizzes" URL namespace (quizzes:exam_list, quizzes:play, ...).

Each capability keeps its own `urls` module; Django allows one include per namespace, so exams and competitions are
merged here and settings.ELEARN_APP_URLCONFS mounts this module (practice mounts its own namespace).
"""

from quizzes.competitions import urls as competitions_urls
from quizzes.exams import urls as exams_urls

app_name = "quizzes"
urlpatterns = [*exams_urls.urlpatterns, *competitions_urls.urlpatterns]
