"""Question bank import/export benchmark: a 10,000-question Excel file in the project's template.

Each step runs in its own Python process, so "peak RSS" (resource.ru_maxrss) is that step's whole-process peak
(interpreter, Django, pandas and the data), and nothing is cached between steps:

  baseline  pandas.read_excel   the same file read by plain pandas (openpyxl engine): the floor for any importer
  baseline  django idle         interpreter + Django set up, nothing done: the memory every step starts from
  dry run                       parse + validate + match against an empty bank (what the upload page shows)
  import (commit)               dry run + one transaction writing 10,000 questions, categories and tags
  re-import (unchanged)         the same file again: every question found unchanged, nothing written
  export xlsx                   the 10,000 questions back to the template (xlsxwriter, constant memory)
  baseline  pandas.to_excel     the same table written by plain pandas (xlsxwriter engine), read untimed first

Targets on this machine: import under 10 s, peak memory under 500 MB. The machine is shared: besides wall time
the table shows each step's CPU time (user + system), which is what the wall time would be on an idle machine
(the steps are single-threaded), and the 1-minute load average at the end of the run.

    .venv/bin/python bench/bench_bank.py                 # 10,000 questions, SQLite in a temporary directory
    .venv/bin/python bench/bench_bank.py --rows 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elearn_bench_bank .venv/bin/python bench/bench_bank.py

With DATABASE_URL the steps run against that PostgreSQL database (it is flushed first: use a scratch database).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CATEGORIES = [
    "安全生产法律法规",
    "消防安全",
    "应急处置与自救互救",
    "危险化学品",
    "动火作业",
    "特种设备",
    "医学装备",
    "燃气安全",
    "用电安全",
]
TARGET_SECONDS = 10.0
TARGET_MB = 500.0


def make_file(path: Path, rows: int, seed: int = 7) -> None:
    """A realistic template file: all four types, 2-8 options, explanations, sources, tags, sub-categories."""
    import xlsxwriter

    rnd = random.Random(seed)
    header = [
        "题型",
        "题干",
        *[f"选项{c}" for c in "ABCDEFGH"],
        "答案",
        "解析",
        "分类",
        "难度",
        "出处",
        "标签",
        "限时（秒）",
    ]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("题库")
    sheet.write_row(0, 0, header)
    for i in range(1, rows + 1):
        kind = rnd.choices(["单选题", "多选题", "判断题", "填空题"], weights=[5, 3, 2, 1])[0]
        stem = f"根据本单位安全管理制度第{rnd.randint(1, 99)}项，关于检查要求 {i} 的说法，正确的是（ ）。"
        options = [""] * 8
        if kind in ("单选题", "多选题"):
            count = rnd.randint(3, 8) if kind == "多选题" else rnd.randint(2, 6)
            for j in range(count):
                options[j] = f"选项内容{i}-{j}：应当按照规定执行并如实记录"
            picks = sorted(rnd.sample(range(count), 1 if kind == "单选题" else rnd.randint(2, count)))
            answer = "".join("ABCDEFGH"[j] for j in picks)
        elif kind == "判断题":
            answer = rnd.choice(["正确", "错误"])
        else:
            answer = f"{rnd.randint(1, 500)}；答案{i}|答{i}"
        category = f"{rnd.choice(CATEGORIES)} > 专题{rnd.randint(1, 5)}"
        source = f"《中华人民共和国安全生产法》第{rnd.choice(['三', '五', '二十一', '二十八', '四十二'])}条"
        tags = " ".join(rnd.sample(["培训", "检查", "隐患", "应急", "消防", "医院", "设备", "制度"], 2))
        row = [kind, stem, *options, answer, f"解析{i}：依据相关规定。", category, rnd.randint(1, 5), source, tags, ""]
        sheet.write_row(i, 0, row)
    book.close()


# --- steps (each in a child process) --------------------------------------------------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearn.settings.test")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def step(name: str, file: Path) -> dict:
    data = file.read_bytes()
    info: dict = {}
    cpu_start = _cpu()
    if name == "baseline_read":
        import pandas as pd

        start, cpu_start = time.perf_counter(), _cpu()
        frame = pd.read_excel(io.BytesIO(data), engine="openpyxl", dtype=object)
        info["rows"] = len(frame)
    elif name == "baseline_write":
        import pandas as pd

        frame = pd.read_excel(io.BytesIO(data), engine="openpyxl", dtype=object)
        start, cpu_start = time.perf_counter(), _cpu()
        buffer = io.BytesIO()
        frame.to_excel(buffer, engine="xlsxwriter", index=False)
        info["rows"], info["bytes"] = len(frame), buffer.tell()
    elif name == "idle":
        start, cpu_start = time.perf_counter(), _cpu()
        _django()
    else:
        _django()
        from quizzes.bank.export import export_xlsx
        from quizzes.bank.importers import build_plan
        from quizzes.bank.models import Question
        from quizzes.bank.services import bank_import

        start, cpu_start = time.perf_counter(), _cpu()
        if name == "dry_run":
            plan = build_plan(data=data, filename=file.name)
            info.update(plan.counts())
        elif name in ("import", "reimport"):
            result = bank_import(data=data, filename=file.name, actor=None)
            info.update(result.plan.counts())
        elif name == "export":
            body = export_xlsx(Question.objects.all())
            info["rows"], info["bytes"] = Question.objects.count(), len(body)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, **info}


# --- driver ----------------------------------------------------------------------------------------------------

STEPS = [
    ("baseline_read", "baseline: pandas.read_excel (same file)"),
    ("idle", "baseline: Django set up, idle"),
    ("dry_run", "dry run (parse, validate, match)"),
    ("import", "import, commit (all new)"),
    ("reimport", "re-import (all unchanged)"),
    ("export", "export xlsx (template)"),
    ("baseline_write", "baseline: pandas.to_excel (same table)"),
]


def run_child(name: str, file: Path, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--step", name, "--file", str(file)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, Path(args.file))))
        return

    work = Path(tempfile.mkdtemp(prefix="bench-bank-"))
    try:
        file = work / f"bank-{args.rows}.xlsx"
        make_file(file, args.rows)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "elearn.settings.test", "TEST_RUN_ID": "bench-bank"}
        backend = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
        if backend == "SQLite":
            env["SQLITE_PATH"] = str(work / "bench.sqlite3")
        manage = [sys.executable, str(REPO / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=REPO, check=True)
        if backend == "PostgreSQL":
            subprocess.run([*manage, "flush", "--noinput", "-v0"], env=env, cwd=REPO, check=True)
        print(
            f"question bank benchmark: {args.rows} questions, {file.stat().st_size / 1e6:.2f} MB xlsx, {backend}, "
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
        )
        results = []
        for name, label in STEPS:
            result = run_child(name, file, env)
            results.append((name, label, result))
            extra = ", ".join(f"{k} {v}" for k, v in result.items() if k not in ("seconds", "cpu", "peak_mb"))
            print(
                f"  {label:<42} {result['seconds']:7.2f} s  {result['cpu']:7.2f} s CPU  {result['peak_mb']:5.0f} MB  {extra}",
                flush=True,
            )
        by = {name: r for name, _l, r in results}
        print()
        load = os.getloadavg()[0]
        print(f"| step ({args.rows:,} questions, {backend}, load {load:.1f}) | wall (s) | CPU (s) | peak RSS (MB) |")
        print("|---|---:|---:|---:|")
        for _name, label, r in results:
            print(f"| {label} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f} |")
        ok_time = by["import"]["seconds"] < TARGET_SECONDS
        ok_cpu = by["import"]["cpu"] < TARGET_SECONDS
        ok_mem = (
            max(r["peak_mb"] for n, _l, r in results if n in ("dry_run", "import", "reimport", "export")) < TARGET_MB
        )
        print()
        print(
            f"targets: import {by['import']['seconds']:.2f} s wall / {by['import']['cpu']:.2f} s CPU < {TARGET_SECONDS:.0f} s: "
            f"{'OK' if ok_time else ('MISSED on wall time, OK on CPU (machine busy)' if ok_cpu else 'MISSED')}; "
            f"peak {max(by[n]['peak_mb'] for n in ('dry_run', 'import', 'reimport', 'export')):.0f} MB < {TARGET_MB:.0f} MB: "
            f"{'OK' if ok_mem else 'MISSED'}; import vs pandas.read_excel: "
            f"{by['import']['seconds'] / by['baseline_read']['seconds']:.1f}x"
        )
        assert by["import"]["new"] == args.rows and by["reimport"]["unchanged"] == args.rows, by
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
