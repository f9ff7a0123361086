"""URLs of the public leaderboard pages (index, live board, state, rebuild)."""

from django.urls import path, re_path

from leaderboard.rankings import views

app_name = "leaderboard"

BOARD = r"(?P<board>[A-Za-z0-9_.-]{1,80})"

urlpatterns = [
    path("leaderboard/", views.index, name="index"),
    re_path(rf"^leaderboard/live/{BOARD}/$", views.live, name="live"),
    re_path(rf"^leaderboard/state/{BOARD}/$", views.state, name="state"),
    re_path(rf"^leaderboard/rebuild/{BOARD}/$", views.rebuild, name="rebuild"),
]
