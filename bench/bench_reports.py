"""Campaign report benchmark, in process (no HTTP): the dashboard figures, the item analysis and the workbook for a
campaign of 5,000 staff in 30 institutions and 100,000 exam answer rows (5,000 papers x 20 questions), each beside a
same-run baseline over the same rows.

  dashboard (admin)   report_selectors.dashboard for the district admin: roster, required modules, exam results,
                      competition players, daily participation, histogram
                      vs baseline: one query of (institution, score, passed) per attempt + a pandas groupby
  dashboard (officer) the same for a safety officer (one institution)        vs the same baseline
  item analysis       report_selectors.item_analysis over the 100,000 answer rows (facility, discrimination,
                      option frequencies, weak categories)
                      vs baseline: the 100,000 (attempt, question, score) rows read + pandas groupby mean
  workbook xlsx       report_export.build: the four sheets (summary, per person, not participated, item analysis)
                      vs baseline: the per-person rows read in one query + pandas DataFrame.to_excel (xlsxwriter)
  csv (people)        report_export.build(fmt="csv", sheet="people")         vs the same baseline

Target on this machine: under 5 s each.

    .venv/bin/python bench/bench_reports.py                   # SQLite in a scratch file
    .venv/bin/python bench/bench_reports.py --staff 1000 --repeat 1
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/elearn_bench_reports .venv/bin/python bench/bench_reports.py

With BENCH_DATABASE_URL a scratch PostgreSQL database (dropped and re-created). A table on stdout, JSON in
bench/results/.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import write_results
from bench.scratch import setup_django_on_scratch_database

TARGET_SECONDS = 5.0


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """(median wall seconds, median CPU seconds of this process, last result). The machine is shared: CPU time
    shows the work itself when other processes compete for the two cores."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=20, help="questions per paper")
    parser.add_argument("--institutions", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sqlite", help="keep the SQLite file here; reuse its data when it already has a campaign")
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL")
    setup_django_on_scratch_database(db_url, "bench-reports.sqlite3", args.sqlite)

    import pandas as pd
    from django.db import connection

    from elearn.org.models import Institution, User
    from leaderboard.reports import export as report_export
    from leaderboard.reports import selectors as rs
    from quizzes.exams.models import Attempt, AttemptAnswer, Exam
    from tests.leaderboard import report_bulk

    start = time.perf_counter()
    if args.sqlite and Exam.objects.exists():
        exam = Exam.objects.get()
        campaign = report_bulk.BulkCampaign(
            institutions=list(Institution.objects.order_by("pk")),
            exam=exam,
            staff=User.objects.filter(role=User.Role.STAFF).count(),
            answers=AttemptAnswer.objects.count(),
        )
    else:
        campaign = report_bulk.build(
            institutions=args.institutions, staff=args.staff, questions_per_paper=args.questions, sat_share=1.0
        )
        User.objects.create(employee_no="BENCHADMIN", real_name="区卫健局", role=User.Role.ADMIN)
        User.objects.create(
            employee_no="BENCHOFFICER", real_name="安全员", role=User.Role.OFFICER, institution=campaign.institutions[0]
        )
    generate_s = time.perf_counter() - start
    admin = User.objects.get(employee_no="BENCHADMIN")
    officer = User.objects.get(employee_no="BENCHOFFICER")
    answers = AttemptAnswer.objects.count()
    filters = rs.ReportFilters()
    exam = campaign.exam

    def baseline_groupby():
        rows = Attempt.objects.filter(exam=exam, is_mock=False).values_list("user__institution_id", "score", "passed")
        frame = pd.DataFrame(list(rows), columns=["institution_id", "score", "passed"]).astype({"score": "float64"})
        return frame.groupby("institution_id").agg(
            sat=("score", "size"), mean=("score", "mean"), passed=("passed", "sum")
        )

    def baseline_answers():
        rows = AttemptAnswer.objects.filter(attempt__exam=exam).values_list(
            "attempt_id", "attempt_question__question_id", "score"
        )
        frame = pd.DataFrame(list(rows), columns=["attempt_id", "question_id", "score"]).astype({"score": "float64"})
        return frame.groupby("question_id")["score"].mean()

    def baseline_excel():
        rows = User.objects.filter(institution__isnull=False).values_list(
            "institution__name", "department", "employee_no", "real_name", "mobile", "exam_attempts__score"
        )
        frame = pd.DataFrame(list(rows), columns=["单位", "科室", "工号", "姓名", "手机号", "成绩"])
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, engine="xlsxwriter")
        return buffer.getvalue()

    cases = [
        ("dashboard (admin)", lambda: rs.dashboard(admin, filters), baseline_groupby),
        ("dashboard (officer)", lambda: rs.dashboard(officer, filters), baseline_groupby),
        ("item analysis", lambda: rs.item_analysis(exam, admin), baseline_answers),
        ("workbook xlsx", lambda: report_export.build(admin, filters), baseline_excel),
        ("csv (people)", lambda: report_export.build(admin, filters, fmt="csv", sheet="people"), baseline_excel),
    ]
    results = []
    for name, fn, baseline in cases:
        seconds, cpu, result = timed(fn, args.repeat)
        base_seconds, base_cpu, _ = timed(baseline, args.repeat)
        size = ""
        if isinstance(result, tuple):
            size = f"{len(result[1]) / 1e6:.1f} MB"
        results.append(
            {
                "case": name,
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu, 3),
                "baseline_seconds": round(base_seconds, 3),
                "baseline_cpu_seconds": round(base_cpu, 3),
                "ratio": round(seconds / base_seconds, 1) if base_seconds else None,
                "ok": seconds < TARGET_SECONDS,
                "output": size,
            }
        )

    backend = connection.vendor
    print(
        f"\nCampaign reports: {campaign.staff:,} staff, {len(campaign.institutions)} institutions, "
        f"{answers:,} answer rows, {backend}; data generated in {generate_s:.1f} s; median of {args.repeat} runs\n"
    )
    load = os.getloadavg()[0]
    print(f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores\n")
    header = (
        f"{'case':<22}{'wall s':>8}{'cpu s':>8}{'baseline wall':>15}{'baseline cpu':>14}{'ratio':>7}"
        f"  {'target <5 s':<12}{'output':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['case']:<22}{r['seconds']:>8.2f}{r['cpu_seconds']:>8.2f}{r['baseline_seconds']:>15.2f}"
            f"{r['baseline_cpu_seconds']:>14.2f}{r['ratio']:>7}  "
            f"{'ok' if r['ok'] else 'SLOW':<12}{r['output']:>9}"
        )
    print(
        "\nbaselines: dashboard = one query of (institution, score, passed) per attempt + pandas groupby;"
        " item analysis = the answer rows read + groupby mean; workbook/csv = per-person rows + DataFrame.to_excel"
    )
    write_results(
        f"bench_reports-{backend}",
        {
            "staff": campaign.staff,
            "answers": answers,
            "backend": backend,
            "generate_s": generate_s,
            "load_average": load,
            "results": results,
        },
        ensure_ascii=False,
    )
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
