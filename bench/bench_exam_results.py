"""Exam results benchmark for managers, in process (no HTTP): one exam, 5,000 staff in 30 institutions, 80% of
them with a submitted attempt (a fifth of those with two), each step beside a same-run baseline over the same rows.

  results (admin)      result_selectors.exam_results for the district admin (grade per candidate)
                       vs baseline: one query of (user, institution, score, max_score) per submitted attempt
  results (officer)    the same for a safety officer (one institution)           vs the same baseline
  absentees (admin)    result_selectors.exam_absentees, evaluated (未参考名单)
                       vs baseline: one NOT IN query over users / attempts returning (name, department, mobile)
  export results xlsx  result_table -> elearn.spreadsheets.workbook_bytes        vs baseline: the baseline rows
                       written by workbook_bytes (the writer alone)
  export absent xlsx   absentee_table -> workbook_bytes                          vs the same writer-alone baseline

Target on this machine: under 3 s each for 5,000 staff.

    .venv/bin/python bench/bench_exam_results.py                 # SQLite in a scratch file
    .venv/bin/python bench/bench_exam_results.py --staff 1000 --repeat 1
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/elearn_bench_results .venv/bin/python bench/bench_exam_results.py

With BENCH_DATABASE_URL a scratch PostgreSQL database (dropped and re-created). A table on stdout, JSON in
bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import write_results
from bench.scratch import setup_django_on_scratch_database

TARGET_SECONDS = 3.0


def timed(fn, repeat: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def populate(staff: int, institutions: int, seed: int = 11):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from elearn.org.models import Institution, User
    from quizzes.exams.models import Attempt, Exam

    rnd = random.Random(seed)
    now = timezone.now()
    insts = Institution.objects.bulk_create(
        [Institution(name=f"基准卫生院{i:02d}", short_name=f"院{i:02d}") for i in range(institutions)]
    )
    password = make_password("bench-password-1")
    users = User.objects.bulk_create(
        [
            User(
                employee_no=f"B{i:06d}",
                real_name=f"职工{i}",
                mobile=f"138{i:08d}",
                institution=insts[i % institutions],
                department=rnd.choice(["内科", "外科", "护理部", "药剂科", "总务科"]),
                password=password,
            )
            for i in range(staff)
        ],
        batch_size=2000,
    )
    admin = User.objects.create(employee_no="bench-admin", real_name="管理员", role=User.Role.ADMIN, password=password)
    officer = User.objects.create(
        employee_no="bench-officer", real_name="安全员", role=User.Role.OFFICER, institution=insts[0], password=password
    )
    exam = Exam.objects.create(
        title="基准考试",
        status=Exam.Status.PUBLISHED,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
        time_limit_minutes=30,
        attempts_allowed=2,
        pass_mark=Decimal("80"),
    )
    attempts = []
    for user in users:
        if rnd.random() >= 0.8:
            continue
        for number in range(1, 3 if rnd.random() < 0.2 else 2):
            score = Decimal(rnd.randint(40, 100))
            attempts.append(
                Attempt(
                    exam=exam,
                    user=user,
                    number=number,
                    state=Attempt.State.SUBMITTED,
                    started_at=now - datetime.timedelta(minutes=40),
                    deadline=now - datetime.timedelta(minutes=10),
                    submitted_at=now - datetime.timedelta(minutes=12 - number),
                    score=score,
                    max_score=Decimal("100"),
                    passed=score >= 80,
                )
            )
    Attempt.objects.bulk_create(attempts, batch_size=2000)
    return exam, admin, officer, len(attempts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--institutions", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL")
    setup_django_on_scratch_database(db_url, "bench-exam-results.sqlite3")

    from elearn.org.models import User
    from elearn.spreadsheets import workbook_bytes
    from quizzes.exams.models import Attempt
    from quizzes.results import selectors as rs

    exam, admin, officer, attempt_count = populate(args.staff, args.institutions)

    def baseline_results(institution_id=None):
        qs = Attempt.objects.filter(exam=exam, is_mock=False, state=Attempt.State.SUBMITTED)
        if institution_id:
            qs = qs.filter(user__institution_id=institution_id)
        return list(qs.values_list("user_id", "user__institution__name", "user__real_name", "score", "max_score"))

    def baseline_absent():
        sat = Attempt.objects.filter(exam=exam, is_mock=False).values("user_id")
        return list(
            User.objects.filter(is_active=True)
            .exclude(pk__in=sat)
            .values_list("institution__name", "real_name", "employee_no", "department", "mobile")
        )

    base_rows = baseline_results()
    absent_rows = baseline_absent()
    steps = [
        ("results (admin)", lambda: rs.exam_results(exam, admin), baseline_results),
        (
            "results (officer)",
            lambda: rs.exam_results(exam, officer),
            lambda: baseline_results(officer.institution_id),
        ),
        ("absentees (admin)", lambda: list(rs.exam_absentees(exam, admin)), baseline_absent),
        (
            "export results xlsx",
            lambda: workbook_bytes([("考试成绩", rs.RESULT_HEADER, rs.result_table(rs.exam_results(exam, admin)))]),
            lambda: workbook_bytes([("考试成绩", rs.RESULT_HEADER, base_rows)]),
        ),
        (
            "export absent xlsx",
            lambda: workbook_bytes(
                [("未参考名单", rs.ABSENT_HEADER, rs.absentee_table(rs.exam_absentees(exam, admin)))]
            ),
            lambda: workbook_bytes([("未参考名单", rs.ABSENT_HEADER, absent_rows)]),
        ),
    ]
    backend = "postgresql" if db_url else "sqlite"
    print(f"exam results: {args.staff} staff, {args.institutions} institutions, {attempt_count} attempts, {backend}")
    print(f"{'step':<22}{'rows':>8}{'seconds':>10}{'baseline s':>12}{'ratio':>8}  target")
    report = []
    for name, step, baseline in steps:
        seconds, result = timed(step, args.repeat)
        base_seconds, _ = timed(baseline, args.repeat)
        rows = len(result) if isinstance(result, list) else "-"
        ratio = seconds / base_seconds if base_seconds else float("inf")
        ok = "ok" if seconds < TARGET_SECONDS else "SLOW"
        print(f"{name:<22}{rows!s:>8}{seconds:>10.3f}{base_seconds:>12.3f}{ratio:>8.1f}  {ok}")
        report.append({"step": name, "rows": rows, "seconds": seconds, "baseline_seconds": base_seconds})
    write_results(
        f"bench_exam_results-{backend}",
        {"staff": args.staff, "attempts": attempt_count, "backend": backend, "steps": report},
        indent=2,
    )


if __name__ == "__main__":
    main()
