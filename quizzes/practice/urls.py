"""Practice (练习), wrong-answer book (错题本), mock exams, certificates and the public verification page."""

from django.urls import path, re_path

from quizzes.practice import views

app_name = "practice"
urlpatterns = [
    path("practice/", views.index, name="index"),
    re_path(r"^practice/(?P<mode>seq|random|wrong)/$", views.question, name="question"),
    path("practice/answers/<int:pk>/", views.feedback, name="feedback"),
    path("practice/restart/<int:category_id>/", views.restart, name="restart"),
    path("practice/wrongbook/", views.wrongbook, name="wrongbook"),
    path("practice/mock/<int:exam_id>/", views.mock_start, name="mock_start"),
    path("certificates/<int:exam_id>/", views.certificate_pdf, name="certificate"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
