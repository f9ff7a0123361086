"""Study-progress benchmark, in process (no HTTP): the cost of the idempotent heartbeat service and of the
officers' progress report, each beside a same-run baseline on the same database.

  heartbeat  : services.lesson_heartbeat for U users x B beats (a new (session, seq) each time, row lock, dedupe
               check, window sum, insert, update)   vs   baseline: one locked read + one UPDATE of the same row
  duplicate  : the same beats sent again (retries)  vs   the same baseline
  report     : selectors.institution_progress for the district admin over all U users x M modules
               vs   baseline: list(User.objects.select_related("institution")) of the same users

    DJANGO_SETTINGS_MODULE=elearn.settings.dev .venv/bin/python bench/bench_study.py --users 2000 --beats 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/elearn_bench_study .venv/bin/python bench/bench_study.py

SQLite by default (a scratch file); with BENCH_DATABASE_URL a scratch PostgreSQL database (dropped and
re-created). Results: a table on stdout and JSON in bench/results/.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def setup_django(db_url: str | None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearn.settings.dev")
    if db_url:
        os.environ["DATABASE_URL"] = db_url
        from bench.scratch import recreate_postgres

        recreate_postgres(db_url)
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench-study.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(fn, n):
    samples = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def row(name, samples, baseline):
    p50, p95 = statistics.median(samples), sorted(samples)[int(0.95 * (len(samples) - 1))]
    b50 = statistics.median(baseline)
    return {
        "case": name,
        "n": len(samples),
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "baseline_p50_ms": round(b50, 3),
        "ratio": round(p50 / b50, 2),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--beats", type=int, default=3)
    parser.add_argument("--modules", type=int, default=5)
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL")
    setup_django(db_url)

    from django.db import transaction

    from courses import selectors, services
    from courses.models import CoursePage, LessonProgress
    from elearn.org.models import Institution, User
    from tests.courses.factories import home_page, lessons_of, make_course, make_index

    index = make_index(home_page())
    courses = [
        make_course(index, title=f"模块{m}", lessons=3, required=CoursePage.Required.ALL) for m in range(args.modules)
    ]
    lesson = lessons_of(courses[0])[0]
    insts = [Institution.objects.create(name=f"基准卫生院{i}") for i in range(20)]
    User.objects.bulk_create(
        [User(employee_no=f"B{n:06d}", real_name=f"职工{n}", institution=insts[n % 20]) for n in range(args.users)]
    )
    users = list(User.objects.filter(employee_no__startswith="B"))
    admin = User.objects.create(employee_no="bench-admin", real_name="admin", role=User.Role.ADMIN)
    t0 = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    calls = [(u, b) for b in range(1, args.beats + 1) for u in users]

    def beat(i):
        user, b = calls[i]
        services.lesson_heartbeat(
            user=user,
            lesson=lesson,
            session=f"s{user.pk}",
            seq=b,
            seconds=15,
            now=t0 + datetime.timedelta(seconds=15 * b),
        )

    heartbeat = timed(beat, len(calls))
    duplicate = timed(beat, len(calls))

    @transaction.atomic
    def base(i):
        user, _b = calls[i]
        p = LessonProgress.objects.select_for_update().get(user=user, lesson=lesson)
        LessonProgress.objects.filter(pk=p.pk).update(active_seconds=p.active_seconds)

    baseline = timed(base, len(calls))
    report = timed(lambda i: selectors.institution_progress(viewer=admin), 3)
    report_base = timed(lambda i: list(User.objects.select_related("institution")), 3)
    total = sum(LessonProgress.objects.filter(lesson=lesson).values_list("active_seconds", flat=True))
    assert total == len(users) * 15 * args.beats, total  # duplicates added nothing

    backend = "postgresql" if db_url else "sqlite"
    rows = [
        row("heartbeat", heartbeat, baseline),
        row("duplicate heartbeat", duplicate, baseline),
        row(f"report ({len(users)} users x {args.modules} modules)", report, report_base),
    ]
    print(f"\nbench_study on {backend}: {len(users)} users, {args.beats} beats each")
    print(f"{'case':42s} {'n':>6s} {'p50 ms':>9s} {'p95 ms':>9s} {'baseline p50':>13s} {'ratio':>6s}")
    for r in rows:
        print(
            f"{r['case']:42s} {r['n']:6d} {r['p50_ms']:9.2f} {r['p95_ms']:9.2f} {r['baseline_p50_ms']:13.2f} {r['ratio']:6.1f}"
        )
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"bench_study-{backend}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
