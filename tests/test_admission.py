"""Admission control: paper-drawing requests run at most N at a time per process; everything else passes through."""

import asyncio
import re

import pytest
from django.conf import settings
from django.urls import reverse

from elearn.admission import AdmissionMiddleware


class SlowApp:
    """Records how many requests per path were inside the app at the same time."""

    def __init__(self):
        self.inside: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    async def __call__(self, scope, receive, send):
        path = scope["path"]
        self.inside[path] = self.inside.get(path, 0) + 1
        self.peak[path] = max(self.peak.get(path, 0), self.inside[path])
        await asyncio.sleep(0.01)
        self.inside[path] -= 1


async def test_a_lane_admits_at_most_its_limit_and_others_pass_through():
    app = SlowApp()
    middleware = AdmissionMiddleware(app, lanes=[(r"^/exams/\d+/start/$", 3)])
    requests = [{"type": "http", "path": "/exams/7/start/"}] * 20 + [{"type": "http", "path": "/ping/"}] * 20
    await asyncio.gather(*(middleware(scope, None, None) for scope in requests))
    assert app.peak["/exams/7/start/"] == 3
    assert app.peak["/ping/"] == 20
    assert app.inside == {"/exams/7/start/": 0, "/ping/": 0}


async def test_a_failing_request_frees_its_place():
    async def boom(scope, receive, send):
        raise RuntimeError("boom")

    middleware = AdmissionMiddleware(boom, lanes=[(r"^/start/$", 1)])
    for _ in range(3):
        with pytest.raises(RuntimeError):
            await asyncio.wait_for(middleware({"type": "http", "path": "/start/"}, None, None), timeout=1)


async def test_websockets_are_not_laned():
    app = SlowApp()
    middleware = AdmissionMiddleware(app, lanes=[(r".*", 1)])
    await asyncio.gather(*(middleware({"type": "websocket", "path": "/ws/x/"}, None, None) for _ in range(5)))
    assert app.peak["/ws/x/"] == 5


@pytest.mark.parametrize(
    ("name", "kwargs", "laned"),
    [
        ("quizzes:exam_start", {"pk": 3}, True),
        ("exam-start", {"pk": 3}, True),
        ("practice-mock", {}, True),
        ("practice:mock_start", {"exam_id": 3}, True),
        ("attempt-answer", {"pk": 3}, False),
        ("attempt-submit", {"pk": 3}, False),
    ],
)
def test_the_paper_lane_covers_every_paper_drawing_url(name, kwargs, laned):
    path = reverse(name, kwargs=kwargs)
    assert any(re.match(pattern, path) for pattern, _ in settings.ELEARN_ADMISSION_LANES) is laned, path
