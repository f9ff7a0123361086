"""URLs of the study area: the 学习 tab and the officers' study-progress report."""

from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("study/", views.index, name="index"),
    path("study/mine/", views.my_study, name="mine"),
    path("study/progress/", views.progress_report, name="progress"),
    path("study/progress/export/", views.progress_export, name="progress_export"),
    path("study/lessons/<int:pk>/complete/", views.lesson_complete, name="lesson_complete"),
]
