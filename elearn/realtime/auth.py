"""The WebSocket auth stack: Channels' cookie, session and auth middleware, with one saving for guests.

Channels resolves `scope["user"]` in a trip to the single database thread for every connection, even one that carries
no session cookie, whose user can only be anonymous. A guest's phone at a live game has none: at a join storm of 5,000
phones those trips queue one behind another in that one thread. Here a connection without a session key is anonymous
at once; every other connection is resolved by Channels as before (session, user, session hash check).
"""

from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.contrib.auth.models import AnonymousUser


class GuestAwareAuthMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope):
        if not scope["session"].session_key:  # no session cookie: what channels.auth.get_user would find
            scope["user"]._wrapped = AnonymousUser()
        else:
            await super().resolve_scope(scope)


def auth_stack(inner):
    """Channels' AuthMiddlewareStack, with GuestAwareAuthMiddleware."""
    return CookieMiddleware(SessionMiddleware(GuestAwareAuthMiddleware(inner)))
