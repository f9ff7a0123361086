"""The WebSocket auth stack (elearn.realtime.auth): a connection without a session cookie is anonymous without a trip
to the database thread; a signed-in one is resolved by Channels as before; a forged session key is anonymous."""

import channels.auth
import pytest
from channels.db import database_sync_to_async
from django.test import Client

from elearn.realtime.auth import auth_stack
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def user_of(cookie: str | None):
    seen = {}

    async def inner(scope, receive, send):
        seen["user"] = scope["user"]._wrapped

    headers = [(b"cookie", cookie.encode())] if cookie else []
    await auth_stack(inner)({"type": "websocket", "path": "/ws/x/", "headers": headers}, None, None)
    return seen["user"]


@pytest.fixture
def trips(monkeypatch):
    counted = []
    real = channels.auth.get_user

    async def get_user(scope):
        counted.append(scope)
        return await real(scope)

    monkeypatch.setattr(channels.auth, "get_user", get_user)
    return counted


async def test_a_guest_is_anonymous_without_a_trip_to_the_database_thread(trips):
    assert (await user_of(None)).is_anonymous
    assert (await user_of("elearn_player_7=abc; csrftoken=x")).is_anonymous
    assert trips == []


async def test_a_signed_in_connection_is_its_user_and_a_forged_key_is_anonymous(trips):
    @database_sync_to_async
    def signed_in():
        user = UserFactory()
        client = Client()
        client.force_login(user)
        return user, client.cookies["sessionid"].value

    user, key = await signed_in()
    assert (await user_of(f"sessionid={key}")).pk == user.pk
    assert (await user_of("sessionid=0123456789abcdefghijklmnopqrstuv")).is_anonymous
    assert len(trips) == 2
