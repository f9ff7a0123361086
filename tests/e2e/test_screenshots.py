"""`make screenshots`: the demo campaign as staff, a safety officer and the district admin see it, every page checked.

Runs only with ELEARN_SCREENSHOTS=1 (the Makefile target sets it; `make test` skips it, and walks a subset in
tests/e2e/test_walk_checks.py). It migrates a test database (pytest-django), seeds the demo into it (seed_demo),
starts daphne on it, signs in with the demo accounts, and walks tests/e2e/walk.py's PAGES (plus the new apps' pages
when their URLs exist) and the states a URL cannot reach: an exam in progress, offline, the submit dialog and the
result; practice answered right and wrong; a live game's lobby, question, reveal, leaderboard and podium on a phone
and on the projector at 1366x768 and 1920x1080; the roster and bank imports' previews (the bank's with errors).

Writes test-artifacts/screenshots/*.png, index.html (the contact sheet: grouped by role and size, each page's
findings under it) and findings.json, and docs/screenshots/ (the README's four pictures). Fails when any check
found something (after writing everything)."""

import os
import shutil

import pytest

from tests.e2e import walk as w
from tests.e2e.conftest import REPO, server_errors

pytestmark = pytest.mark.skipif(
    not os.environ.get("ELEARN_SCREENSHOTS"), reason="the full screen walk runs under `make screenshots`"
)
OUT = REPO / "test-artifacts" / "screenshots"
DOCS = REPO / "docs" / "screenshots"


def test_screen_walk(server, browser):
    passwords = w.seed_demo()
    ids = w.demo_ids()
    if OUT.exists():
        shutil.rmtree(OUT)
    walk = w.Walk(browser, server, OUT, passwords)
    docs = {}
    try:
        pages = w.PAGES + w.discovered_pages(w.PAGES)
        for item in pages:
            entry = walk.visit(item, ids)
            if (item.role, item.size, item.path) == ("staff", "phone", "/"):
                docs["phone-home"] = entry
            if (item.role, item.size, item.path) == ("admin", "desktop", "/admin/reports/"):
                docs["reports-dashboard"] = entry
        w.practice_flow(walk, server)
        docs["exam"] = w.exam_flow(walk, server, ids)
        docs["projector-question"] = w.game_flow(walk, server)["question"]
        w.upload_flows(walk, server, ids, OUT / "uploads")
    finally:
        errors = server_errors(int(server.rsplit(":", 1)[1]))
        index = walk.write_index(errors)
        walk.close()
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, entry in docs.items():
        shutil.copyfile(OUT / entry.png, DOCS / f"{name}.png")
    print(f"\n{len(walk.entries)} screens, contact sheet: {index}")
    problems = walk.problems
    for line in problems:
        print("  " + line)
    assert not problems, f"{len(problems)} finding(s) on {sum(bool(e.problems) for e in walk.entries)} screens"
