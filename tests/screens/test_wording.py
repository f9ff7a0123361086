"""One form of address: the platform says 你 to everyone (it said 你 on some pages and 您 on others)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["elearn", "courses", "content", "quizzes", "leaderboard"]


def test_no_user_facing_text_says_nin():
    offenders = []
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.suffix not in {".py", ".html", ".js", ".txt"} or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if "您" in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert not offenders, "\n".join(offenders)
