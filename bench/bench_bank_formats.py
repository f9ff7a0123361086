"""Question bank import from the files people really have (issue 14): a 10,000-question Word document and a
10,000-question old Excel (.xls) workbook, each beside a same-run baseline that only reads the same file:

  .xls   baseline: pandas.read_excel (calamine)   the same .xls read into a DataFrame: the floor for any importer
  .xls   dry run (parse, plan)                    what the upload page shows, matched against an empty bank
  .xls   import, commit (all new)                 dry run + one transaction writing the 10,000 questions
  .docx  baseline: python-docx paragraph texts    the same .docx opened with python-docx, every paragraph's text
  .docx  dry run (parse, plan)
  .docx  import, commit (all new)

The files are generated in the run, in the layouts of the issue: the .xls is an exam-system export
(作业种类 | 试题类型 | 题目内容 | 题目选项 | 题目答案, options `**A…**B…`, numbering `201，`), written with xlwt (a pure-Python
BIFF8 writer, in requirements-dev.txt; without it the .xls rows are skipped with the reason printed); the .docx is
a Word paper with section headings 一、单选题 … 四、填空题, numbered questions, options on their own lines and
答案：/解析： lines, written as WordprocessingML into python-docx's default template (python-docx's own
add_paragraph takes minutes for 60,000 paragraphs).

Every step runs --repeat times (default 3), each in a fresh Python process with the libraries already imported
(so no step pays for an import the baseline does not), a dry run and a commit each time on a fresh empty database.
The table shows the median wall time, the median CPU time (user + system of this process: the wall time an idle
machine would show, the steps being single-threaded; on PostgreSQL the server's own work is not in it), the largest
peak RSS, and the ratio to the format's baseline. Target: import under 10 s.

    .venv/bin/python bench/bench_bank_formats.py                  # 10,000 questions each, SQLite in a temp dir
    .venv/bin/python bench/bench_bank_formats.py --rows 2000 --repeat 1 --formats docx
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elearn_bench_bank .venv/bin/python bench/bench_bank_formats.py

With DATABASE_URL the commits run on that PostgreSQL database, dropped and re-created at the start and flushed
before each commit: name a scratch database.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0
LETTERS = "ABCDEFGH"
JOBS = ["低压电工作业", "高压电工作业", "焊接与热切割作业", "危险化学品安全作业", "消防安全", "医院安全管理"]
SECTIONS = [("single", "一、单选题"), ("multiple", "二、多选题"), ("truefalse", "三、判断题"), ("fill", "四、填空题")]
SHARES = {"single": 0.5, "multiple": 0.3, "truefalse": 0.15, "fill": 0.05}


def questions(rows: int, seed: int = 14):
    """`rows` distinct questions: (type, stem, options, answer letters / 正确|错误 / fill answer, explanation)."""
    rnd = random.Random(seed)
    counts = {kind: int(rows * share) for kind, share in SHARES.items()}
    counts["single"] += rows - sum(counts.values())
    i = 0
    for kind, _heading in SECTIONS:
        for _n in range(counts[kind]):
            i += 1
            place = rnd.choice(["配电室", "手术室", "检验科", "氧气站", "病房楼", "药品库房", "锅炉房"])
            if kind == "fill":
                yield kind, f"{place}第{i}项检查中，发现隐患应在（ ）小时内报告。", [], str(rnd.randint(1, 72)), ""
                continue
            if kind == "truefalse":
                yield (
                    kind,
                    f"{place}第{i}条规定：作业前应当检查防护用品，并如实记录。",
                    [],
                    rnd.choice(["正确", "错误"]),
                    "",
                )
                continue
            count = rnd.randint(4, 6) if kind == "multiple" else 4
            options = [f"措施{i}-{j}：切断电源，设置警示标志（{place}）" for j in range(count)]
            picks = sorted(rnd.sample(range(count), 1 if kind == "single" else rnd.randint(2, count)))
            explanation = f"依据《中华人民共和国安全生产法》第{rnd.randint(1, 119)}条。" if rnd.random() < 0.4 else ""
            stem = f"关于{place}第{i}项安全要求的说法，正确的是（ ）。"
            yield kind, stem, options, "".join(LETTERS[j] for j in picks), explanation


def make_xls(path: Path, rows: int) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("题库")
    for col, title in enumerate(["作业种类", "试题类型", "题目内容", "题目选项", "题目答案"]):
        sheet.write(0, col, title)
    labels = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题", "fill": "填空题"}
    for r, (kind, stem, options, answer, _explanation) in enumerate(questions(rows), start=1):
        cell = "".join(f"**{LETTERS[j]}{text}" for j, text in enumerate(options))
        for col, value in enumerate([JOBS[r % len(JOBS)], labels[kind], f"{r}，{stem}", cell, answer]):
            sheet.write(r, col, value)
    book.save(str(path))


def make_docx(path: Path, rows: int) -> None:
    """A Word paper: python-docx's default template (styles, settings, theme) with a generated body."""
    import docx

    def paragraph(text: str, *, bold: bool = False) -> str:
        props = "<w:rPr><w:b/></w:rPr>" if bold else ""
        return f'<w:p><w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = [paragraph("医院安全生产知识题库（基准测试）", bold=True)]
    headings = dict(SECTIONS)
    current, number = None, 0
    for kind, stem, options, answer, explanation in questions(rows):
        if kind != current:
            current, number = kind, 0
            body.append(paragraph(headings[kind], bold=True))
        number += 1
        body.append(paragraph(f"{number}．{stem}"))
        body.extend(paragraph(f"{LETTERS[j]}．{text}") for j, text in enumerate(options))
        body.append(paragraph(f"答案：{answer}"))
        if explanation:
            body.append(paragraph(f"解析：{explanation}"))
    template = io.BytesIO()
    docx.Document().save(template)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                xml = content.decode("utf-8")
                start = xml.index("<w:body>") + len("<w:body>")
                content = (xml[:start] + "".join(body) + xml[xml.index("<w:sectPr", start) :]).encode("utf-8")
            target.writestr(item, content)


# --- steps (each in a child process) -----------------------------------------------------------------------------


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def step(name: str, file: Path) -> dict:
    data = file.read_bytes()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearn.settings.test")
    sys.path.insert(0, str(REPO))
    # Everything any step uses is imported before the clock starts, in every step alike.
    import django
    import pandas as pd

    for module in ("docx", "python_calamine"):
        try:
            __import__(module)
        except ImportError:
            pass
    django.setup()
    from quizzes.bank.importers import build_plan
    from quizzes.bank.services import bank_import

    info: dict = {}
    start, cpu_start = time.perf_counter(), _cpu()
    if name == "baseline":
        if file.suffix == ".xls":
            frame = pd.read_excel(io.BytesIO(data), engine="calamine", dtype=object)
            info["rows"] = len(frame)
        else:
            import docx

            document = docx.Document(io.BytesIO(data))
            texts = [p.text for p in document.paragraphs]
            info["paragraphs"], info["chars"] = len(texts), sum(map(len, texts))
    elif name == "dry_run":
        info.update(build_plan(data=data, filename=file.name).counts())
    elif name == "import":
        info.update(bank_import(data=data, filename=file.name, actor=None).plan.counts())
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, **info}


# --- driver --------------------------------------------------------------------------------------------------------

STEPS = [
    ("baseline", "baseline: {baseline}"),
    ("dry_run", "dry run (parse, plan)"),
    ("import", "import, commit (all new)"),
]
BASELINES = {"xls": "pandas.read_excel (calamine)", "docx": "python-docx paragraph texts"}


def run_child(name: str, file: Path, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--step", name, "--file", str(file)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode != 0:
        lines = [line for line in out.stderr.strip().splitlines() if line.strip()]
        return {"error": lines[-1][:300] if lines else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


class Database:
    """An empty migrated database for every commit: a copy of a migrated SQLite file, or a flushed PostgreSQL."""

    def __init__(self, work: Path, env: dict):
        self.env, self.work = env, work
        self.postgres = bool(env.get("DATABASE_URL"))
        self.template = work / "template.sqlite3"
        manage = [sys.executable, str(REPO / "manage.py")]
        self.manage = manage
        if self.postgres:
            sys.path.insert(0, str(REPO))
            from bench.scratch import recreate_postgres

            recreate_postgres(env["DATABASE_URL"])
        else:
            env["SQLITE_PATH"] = str(self.template)
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=REPO, check=True)

    def fresh(self) -> dict:
        env = dict(self.env)
        if self.postgres:
            subprocess.run([*self.manage, "flush", "--noinput", "-v0"], env=env, cwd=REPO, check=True)
        else:
            run_db = self.work / "run.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{run_db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.template, run_db)
            env["SQLITE_PATH"] = str(run_db)
        return env


def summarise(runs: list[dict]) -> dict:
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        return {"error": errors[0]}
    last = runs[-1]
    return {
        **{k: v for k, v in last.items() if k not in ("seconds", "cpu", "peak_mb")},
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "all": [round(r["seconds"], 2) for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="xls,docx")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, Path(args.file))))
        return

    work = Path(tempfile.mkdtemp(prefix="bench-bank-formats-"))
    try:
        files: dict[str, Path] = {}
        skipped: list[str] = []
        for fmt in args.formats.split(","):
            path = work / f"bank-{args.rows}.{fmt}"
            started = time.perf_counter()
            try:
                (make_xls if fmt == "xls" else make_docx)(path, args.rows)
            except ImportError as exc:
                skipped.append(f".{fmt}: skipped, {exc.name} is not installed (pip install -r requirements-dev.txt)")
                continue
            files[fmt] = path
            print(f"wrote {path.name}: {path.stat().st_size / 1e6:.2f} MB in {time.perf_counter() - started:.1f} s")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "elearn.settings.test", "TEST_RUN_ID": "bench-bank-formats"}
        database = Database(work, env)
        backend = "PostgreSQL" if database.postgres else "SQLite"
        print(
            f"question bank import from .xls and .docx: {args.rows} questions, median of {args.repeat}, {backend}, "
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start"
        )
        results: list[tuple[str, str, dict]] = []
        for fmt, path in files.items():
            for name, label in STEPS:
                runs = []
                for _ in range(args.repeat):
                    child_env = database.fresh() if name in ("dry_run", "import") else database.env
                    runs.append(run_child(name, path, child_env))
                    if "error" in runs[-1]:
                        break
                result = summarise(runs)
                results.append((fmt, label.format(baseline=BASELINES[fmt]), result))
                if "error" in result:
                    print(
                        f"  .{fmt:<4} {label.format(baseline=BASELINES[fmt]):<40} FAILED: {result['error']}", flush=True
                    )
                    continue
                extra = ", ".join(
                    f"{k} {v}" for k, v in result.items() if k not in ("seconds", "cpu", "peak_mb", "all") and v
                )
                print(
                    f"  .{fmt:<4} {label.format(baseline=BASELINES[fmt]):<40} {result['seconds']:7.2f} s  "
                    f"{result['cpu']:7.2f} s CPU  {result['peak_mb']:5.0f} MB  runs {result['all']}  {extra}",
                    flush=True,
                )
        load = os.getloadavg()[0]
        print()
        print(
            f"| file ({args.rows:,} questions, {backend}, median of {args.repeat}, load {load:.1f}) | step | "
            "wall (s) | CPU (s) | peak RSS (MB) | x baseline |"
        )
        print("|---|---|---:|---:|---:|---:|")
        base = {fmt: r for fmt, label, r in results if label.startswith("baseline") and "error" not in r}
        verdicts = []
        for fmt, label, r in results:
            if "error" in r:
                print(f"| .{fmt} | {label} | failed | | | |")
                continue
            ratio = f"{r['seconds'] / base[fmt]['seconds']:.1f}" if fmt in base else ""
            print(f"| .{fmt} | {label} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f} | {ratio} |")
            if label.startswith("import"):
                ok = r["seconds"] < TARGET_SECONDS
                ok_cpu = r["cpu"] < TARGET_SECONDS
                counted = r.get("new") == args.rows and not r.get("rejected")
                verdicts.append(
                    f".{fmt} import {r['seconds']:.2f} s wall / {r['cpu']:.2f} s CPU < {TARGET_SECONDS:.0f} s: "
                    + ("OK" if ok else "MISSED on wall time, OK on CPU (machine busy)" if ok_cpu else "MISSED")
                    + ("" if counted else f" (but {r.get('new')} of {args.rows} new, {r.get('rejected')} rejected)")
                )
        for line in skipped:
            print(f"| {line} | | | | | |")
        print()
        for line in verdicts:
            print(f"target: {line}")
        for line in skipped:
            print(line)
        if any("error" in r for _f, _l, r in results):
            raise SystemExit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
