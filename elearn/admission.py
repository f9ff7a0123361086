"""Admission control for expensive requests, per server process.

At an exam's opening minute a thousand candidates press 开始考试 at once. Drawing and freezing a paper costs several
times an answer save, and Django runs every request in its own thread, so without a limit the rush of starts shares
the CPU with - and slows down - the answer saves of candidates already writing (which must never be lost or late).
A lane lets at most N matching requests run at a time in this process; the others wait their turn in the event loop,
holding neither a thread nor a database connection, and everything outside the lanes passes straight through.

Lanes are `settings.ELEARN_ADMISSION_LANES`: [(path regex, concurrent requests per process)].
"""

import asyncio
import re

from django.conf import settings


class AdmissionMiddleware:
    """ASGI middleware around Django's HTTP application."""

    def __init__(self, app, lanes=None):
        self.app = app
        lanes = settings.ELEARN_ADMISSION_LANES if lanes is None else lanes
        self.lanes = [(re.compile(pattern), asyncio.Semaphore(limit)) for pattern, limit in lanes]

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            path = scope.get("path", "")
            for pattern, lane in self.lanes:
                if pattern.match(path):
                    async with lane:
                        return await self.app(scope, receive, send)
        return await self.app(scope, receive, send)
