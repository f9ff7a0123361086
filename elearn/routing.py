"""WebSocket URL patterns of every app, collected in one list for elearn.asgi."""

websocket_urlpatterns: list = []

from django.urls import re_path  # noqa: E402

from leaderboard.rankings.consumers import LeaderboardConsumer  # noqa: E402

websocket_urlpatterns += [re_path(r"^ws/leaderboard/(?P<board>[A-Za-z0-9_.-]{1,80})/$", LeaderboardConsumer.as_asgi())]

from quizzes.competitions.consumers import HostConsumer, PlayerConsumer  # noqa: E402

websocket_urlpatterns += [
    re_path(r"^ws/play/(?P<pin>[0-9]{6})/$", PlayerConsumer.as_asgi()),
    re_path(r"^ws/host/(?P<game_id>[0-9]{1,12})/$", HostConsumer.as_asgi()),
]
