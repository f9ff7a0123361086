"""WebSocket URL patterns of every app, collected in one list for elearn.asgi."""

websocket_urlpatterns: list = []

from django.urls import re_path  # noqa: E402

from leaderboard.consumers import LeaderboardConsumer  # noqa: E402

websocket_urlpatterns += [re_path(r"^ws/leaderboard/(?P<board>[A-Za-z0-9_.-]{1,80})/$", LeaderboardConsumer.as_asgi())]
