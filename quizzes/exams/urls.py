"""URLs of the candidate's exam pages (list, start, attempt, submit, result)."""

from django.urls import path

from quizzes.exams import views

app_name = "quizzes"

urlpatterns = [
    path("exams/", views.exam_list, name="exam_list"),
    path("exams/ping/", views.exam_ping, name="exam_ping"),
    path("exams/<int:pk>/", views.exam_detail, name="exam_detail"),
    path("exams/<int:pk>/start/", views.exam_start, name="exam_start"),
    path("exams/attempt/<int:pk>/", views.attempt_page, name="attempt"),
    path("exams/attempt/<int:pk>/submit/", views.attempt_submit, name="attempt_submit"),
    path("exams/attempt/<int:pk>/result/", views.attempt_result, name="attempt_result"),
]
