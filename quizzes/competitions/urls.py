"""Live competitions: join by PIN (the 竞赛 tab, url name quizzes:play), the player's page, the host console."""

from django.urls import path, re_path

from quizzes.competitions import views

app_name = "quizzes"
urlpatterns = [
    path("play/", views.play, name="play"),
    re_path(r"^play/(?P<pin>[0-9]{6})/$", views.play_game, name="play_game"),
    re_path(r"^play/(?P<pin>[0-9]{6})/qr\.svg$", views.qr_svg, name="play_qr"),
    path("play/host/", views.host_index, name="host_index"),
    path("play/host/<int:competition_id>/start/", views.host_start, name="host_start"),
    path("play/host/game/<int:game_id>/", views.host_game, name="host_game"),
]
