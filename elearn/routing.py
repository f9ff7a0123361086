"""WebSocket URL patterns of every app, collected in one list for elearn.asgi."""

websocket_urlpatterns: list = []
