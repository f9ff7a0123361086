"""Exam load benchmark: N candidates start the same exam within a ramp (default 10 s), then each saves an answer
every few seconds over HTTP and finally submits; through one daphne process (or several, like behind a proxy), like a
phone would. Every configuration runs twice (--prepared both): with the exam's papers drawn ahead (预生成试卷, what
publishing an exam does) and without (every start draws its paper), each on a fresh database.

For each backend and mode it
  1. prepares a database (a fresh SQLite file; or the scratch PostgreSQL database `elearn_bench_exam`), migrates,
     and creates N candidates with logged-in sessions, a 300-question bank and an exam drawing 50 questions; with
     prepared papers it then runs the preparation (quizzes.exams.services.exam_papers_prepare) and times it;
  2. measures the cost of each request in-process, before any load (separate accounts and an identical exam, so the
     load's figures are untouched): database queries and CPU milliseconds per start (a prepared paper over the API
     and over the exam page's JSON start; a drawn one), per attempt page, per save, per ping (the median of
     --cost-samples requests through Django's full middleware stack, without daphne);
  3. starts the daphne process(es) (one process is pinned to core 0 with taskset when available) and runs the load
     generator in a separate process (asyncio + uvloop, raw HTTP/1.1 keep-alive connections, loopback only); on
     PostgreSQL (--tasks worker) also one `manage.py db_worker` with the database task backend, as the README's
     scale-out deployment runs: the work after each submission (wrong-answer book, rankings) leaves the request;
  4. exam phase: POST /api/v1/exams/<id>/start/ at a random moment within the ramp, then --saves times
     POST /api/v1/attempts/<id>/answer/ after a random pause of 0.5-1.5 x --interval seconds, then POST .../submit/;
     (--client phone: as the exam page's script does instead, POST /exams/<id>/start/ asking for JSON, which
     answers {"id", "url"} without the paper, then GET the attempt page that brings it: reported as start and page);
  5. baseline phase, same run, same server, same schedule: every request goes to GET /exams/ping/ (a trivial view
     through the same middleware, session and authentication stack);
  6. checks the database afterwards: N attempts, N submitted, N x saves answers stored, and how many attempts got a
     prepared paper; with the worker, it first waits for the worker's queue to empty and reports how long that took
     and whether any task failed.
Every request has a timeout (60 s); a non-2xx answer, a timeout or a broken connection counts as an error.
Targets (issue 19): start p95 < 1 s, save p95 < 150 ms, zero errors, everything stored.

    .venv/bin/python bench/bench_exam.py --backends postgres --processes 2 --candidates 1000 --ramp 10
    .venv/bin/python bench/bench_exam.py --backends postgres --processes 2 --candidates 5000 --ramp 60 \
        --saves 3 --interval 30
    .venv/bin/python bench/bench_exam.py --backends postgres --processes 2 --candidates 1000 --ramp 10 --client phone
    .venv/bin/python bench/bench_exam.py --candidates 200 --backends sqlite --prepared yes     # a quick look

PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/elearn_bench_exam; dropped and
re-created: use a scratch database). Results: a table on stdout and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    PY,
    REPO,
    PhaseClock,
    acknowledged_notice,
    add_step_flags,
    daphne_servers,
    error_tally,
    fmt,
    latency_figures,
    logged_in_sessions,
    migrate_fresh_database,
    pinned,
    raise_fd_limit,
    run_generator,
    run_load,
    run_requested_step,
    server_env,
    targets_line,
    task_worker,
    work_directory,
    write_results,
)

SERVER_CORE, GENERATOR_CORE = "0", "1"
TARGET_P95_SAVE_MS = 150.0
TARGET_P95_START_MS = 1000.0
SECTIONS = [("single", 25), ("multiple", 10), ("truefalse", 10), ("fill", 5)]
REQUEST_TIMEOUT = 60.0


# ======================================================================================================= setup
def setup(args) -> None:
    """Runs inside Django: candidates with sessions, a bank, an exam. Writes the setup file for the generator."""
    import django

    django.setup()
    import datetime as dt
    from decimal import Decimal

    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from elearn.org.models import Institution, User
    from quizzes.bank.models import Category, Question
    from quizzes.exams.models import Exam, ExamSection

    rnd = random.Random(5)
    inst = Institution.objects.create(name="压测卫生院", short_name="压测")
    users = User.objects.bulk_create(
        [
            User(
                employee_no=f"B{i:05d}", real_name=f"考生{i}", mobile=f"137{i:08d}", institution=inst,
                department="护理部", role="staff", password="!unusable",
            )
            for i in range(args.candidates)
        ]
    )  # fmt: skip
    # Accounts for the in-process cost probe: another institution, so that they are not the load exam's audience.
    probe_inst = Institution.objects.create(name="测量卫生院", short_name="测量")
    User.objects.bulk_create(
        [
            User(
                employee_no=f"P{i:05d}", real_name=f"测量{i}", mobile=f"136{i:08d}", institution=probe_inst,
                department="护理部", role="staff", password="!unusable",
            )
            for i in range(args.cost_samples * 2 + 2)
        ]
    )  # fmt: skip
    category = Category.objects.create(name="压测题库")
    questions = []
    for i in range(300):
        kind = ["single"] * 6 + ["multiple"] * 2 + ["truefalse"] * 2
        qtype = "fill" if i % 15 == 0 else rnd.choice(kind)
        q = Question(type=qtype, category=category, stem=f"压测题{i}：关于医疗机构消防安全管理，下列说法正确的是？")
        if qtype == "single":
            q.options, q.correct_options = [f"选项{i}-{j}" for j in range(4)], [rnd.randrange(4)]
        elif qtype == "multiple":
            q.options, q.correct_options = [f"选项{i}-{j}" for j in range(5)], sorted(rnd.sample(range(5), 3))
        elif qtype == "truefalse":
            q.options, q.correct_options = ["正确", "错误"], [rnd.randrange(2)]
        else:
            q.options, q.accepted_answers = [], [["预防为主"]]
        q.explanation = "依据《消防法》相关条款。"
        q.identity_hash, q.content_hash = q.compute_hashes()
        questions.append(q)
    Question.objects.bulk_create(questions)
    now = timezone.now()
    exams = []
    for title, audience in (("压测考试", inst), ("成本测量（预生成）", probe_inst), ("成本测量（现抽）", probe_inst)):
        exam = Exam.objects.create(
            title=title, status="published", opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=1), time_limit_minutes=30, attempts_allowed=1, pass_mark=Decimal("80"),
        )  # fmt: skip
        exam.institutions.set([audience])
        exam.save()
        for order, (qtype, count) in enumerate(SECTIONS):
            ExamSection.objects.create(
                exam=exam, sort_order=order, question_type=qtype, category=category, count=count, points=2
            )
        exams.append(exam)
    exam, probe_prepared, probe_drawn = exams
    preparation = None
    if args.mode == "prepared":
        from quizzes.exams.services import exam_papers_prepare

        began_wall, began_cpu = time.perf_counter(), time.process_time()
        result = exam_papers_prepare(exam_id=exam.pk)
        preparation = {
            "papers": result.stock,
            "target": result.target,
            "wall_s": time.perf_counter() - began_wall,
            "cpu_s": time.process_time() - began_cpu,
        }
    sessions = logged_in_sessions(users, SessionStore)
    Path(args.setup_file).write_text(
        json.dumps(
            {
                "exam_id": exam.pk,
                "probe_exams": [probe_prepared.pk, probe_drawn.pk],
                "sessions": sessions,
                "preparation": preparation,
            }
        )
    )


def cost(args) -> None:
    """Runs inside Django, before the load: queries and CPU per request, in-process (Django's full middleware stack
    through its test client, no daphne), with separate accounts and two exams identical to the load's: one with papers
    drawn ahead, one without. Each account pings, starts both (interleaved, so that both see the same machine) and
    saves one answer. Medians of --cost-samples accounts."""
    import django

    django.setup()
    import statistics as stats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from elearn.org.models import User
    from quizzes.exams.services import exam_papers_prepare

    setup_data = json.loads(Path(args.setup_file).read_text())
    prepared_exam, drawn_exam = setup_data["probe_exams"]
    people = list(User.objects.filter(employee_no__startswith="P").order_by("pk"))
    exam_papers_prepare(exam_id=prepared_exam, target=len(people) + 1)
    client = Client(HTTP_HOST="127.0.0.1")
    notice = acknowledged_notice()
    out = {}

    def login(person):
        client.force_login(person)
        if notice:
            session = client.session
            session.update(notice)
            session.save()

    def measure(kind, method, path, body=None, accept="application/json"):
        with CaptureQueriesContext(connection) as queries:
            began = time.process_time()
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(
                    path, json.dumps(body or {}), content_type="application/json", HTTP_ACCEPT=accept
                )
            cpu = time.process_time() - began
        if response.status_code >= 300:
            raise RuntimeError(f"{kind}: HTTP {response.status_code} {response.content[:200]!r}")
        out.setdefault(kind, {"cpu_ms": [], "queries": []})
        out[kind]["cpu_ms"].append(cpu * 1000)
        out[kind]["queries"].append(len(queries))
        return response

    for k, person in enumerate(people):
        login(person)
        warm = k < 2  # the first accounts warm caches (content types, URL resolver, templates): not counted

        def kind(name, warm=warm):
            return "warm-up" if warm else name

        measure(kind("ping"), "GET", "/exams/ping/")
        if k % 2:  # the API (an app), the paper in the answer
            attempt_id = measure(kind("start (prepared)"), "POST", f"/api/v1/exams/{prepared_exam}/start/").json()["id"]
        else:  # the phone's page: its script asks for {"id", "url"}, then opens the attempt page
            started = measure(kind("start (prepared, page)"), "POST", f"/exams/{prepared_exam}/start/",
                              accept="application/json")  # fmt: skip
            attempt_id = started.json()["id"]
            measure(kind("attempt page"), "GET", started.json()["url"])
        measure(kind("start (drawn)"), "POST", f"/api/v1/exams/{drawn_exam}/start/")
        paper = measure("warm-up", "GET", f"/api/v1/attempts/{attempt_id}/").json()
        q = paper["questions"][0]
        response = ["预防为主"] if q["type"] == "fill" else [0]
        measure(kind("save"), "POST", f"/api/v1/attempts/{attempt_id}/answer/",
                {"position": q["position"], "response": response, "seq": 1})  # fmt: skip
    out.pop("warm-up")
    summary = {
        kind: {"cpu_ms": stats.median(v["cpu_ms"]), "queries": stats.median(v["queries"])} for kind, v in out.items()
    }
    Path(args.out).write_text(json.dumps(summary))


def verify(args) -> None:
    """Runs inside Django after the load: what the server stored."""
    import django

    django.setup()
    from django.conf import settings

    from quizzes.exams.models import Attempt, AttemptAnswer, PreparedPaper

    exam_id = json.loads(Path(args.setup_file).read_text())["exam_id"]
    out = {"tasks": {}}
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        # The worker feeds the wrong-answer book and the rankings after each submission: wait for it to catch up.
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        began = time.monotonic()
        pending = DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        while pending.exists() and time.monotonic() - began < 600:
            time.sleep(0.5)
        out["tasks"] = {
            "drain_s": time.monotonic() - began,
            "pending": pending.count(),
            "failed": DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
            "done": DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count(),
        }
    attempts = Attempt.objects.filter(exam_id=exam_id)
    out |= {
        "attempts": attempts.count(),
        "submitted": attempts.filter(state="submitted").count(),
        "answers": AttemptAnswer.objects.filter(attempt__exam_id=exam_id).count(),
        "from_prepared": PreparedPaper.objects.filter(exam_id=exam_id, claimed_by__isnull=False).count(),
    }
    Path(args.out).write_text(json.dumps(out))


# ======================================================================================================= generator
class Client:
    """One candidate's keep-alive HTTP/1.1 connection (raw asyncio streams: cheap enough that the generator, not
    the server, is never the bottleneck)."""

    def __init__(self, port: int, session: str):
        self.port = port
        self.reader = self.writer = None
        token = "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))
        self.head = (
            f"Host: 127.0.0.1:{port}\r\nCookie: sessionid={session}; csrftoken={token}\r\nX-CSRFToken: {token}\r\n"
            "Accept: application/json\r\n"
        )

    async def _connect(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else b""
        raw = (
            f"{method} {path} HTTP/1.1\r\n{self.head}Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode() + data
        for attempt in (1, 2):
            try:
                if self.writer is None:
                    await self._connect()
                self.writer.write(raw)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    async def _response(self) -> tuple[int, bytes]:
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and "close" in value.lower():
                close = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            body = b"".join(parts)
        else:
            body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def candidate(i, setup_data, args, phase, t0, results, errors):
    rnd = random.Random(i)
    ports = [int(p) for p in str(args.port).split(",")]
    client = Client(ports[i % len(ports)], setup_data["sessions"][i])
    start_at = t0 + rnd.uniform(0, args.ramp)
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    exam_id = setup_data["exam_id"]

    async def timed(kind, method, path, body=None):
        began = time.perf_counter()
        try:
            status, payload = await asyncio.wait_for(client.request(method, path, body), REQUEST_TIMEOUT)
        except Exception as exc:  # counted, reported
            errors.append((kind, type(exc).__name__))
            client.close()
            return None
        elapsed = (time.perf_counter() - began) * 1000
        if status >= 300:
            errors.append((kind, f"HTTP {status}: {payload[:120]!r}"))
            return None
        results[kind].append(elapsed)
        return payload

    try:
        if phase == "exam" and args.client == "phone":
            # The exam page's script: the page's own start URL answers {"id", "url"}; the attempt page brings the paper.
            payload = await timed("start", "POST", f"/exams/{exam_id}/start/", {})
            if payload is None:
                return
            page = await timed("page", "GET", json.loads(payload)["url"])
            if page is None:
                return
            marker = b'<script id="attempt-data" type="application/json">'
            attempt = json.loads(page.split(marker, 1)[1].split(b"</script>", 1)[0])
        elif phase == "exam":
            payload = await timed("start", "POST", f"/api/v1/exams/{exam_id}/start/", {})
            if payload is None:
                return
            attempt = json.loads(payload)
        if phase == "exam":
            questions = attempt["questions"]
            for k in range(args.saves):
                await asyncio.sleep(args.interval * rnd.uniform(0.5, 1.5))
                q = questions[k % len(questions)]
                response = ["预防为主"] if q["type"] == "fill" else [rnd.randrange(len(q["options"]))]
                body = {"position": q["position"], "response": response, "seq": k + 1}
                await timed("save", "POST", f"/api/v1/attempts/{attempt['id']}/answer/", body)
            await asyncio.sleep(args.interval * rnd.uniform(0.5, 1.5))
            await timed("submit", "POST", f"/api/v1/attempts/{attempt['id']}/submit/", {})
        else:  # baseline: the same schedule against the trivial view
            await timed("start", "GET", "/exams/ping/")
            if args.client == "phone":
                await timed("page", "GET", "/exams/ping/")
            for _ in range(args.saves):
                await asyncio.sleep(args.interval * rnd.uniform(0.5, 1.5))
                await timed("save", "GET", "/exams/ping/")
            await asyncio.sleep(args.interval * rnd.uniform(0.5, 1.5))
            await timed("submit", "GET", "/exams/ping/")
    finally:
        client.close()


async def generate_async(args) -> dict:
    setup_data = json.loads(Path(args.setup_file).read_text())
    n = min(args.candidates, len(setup_data["sessions"]))
    out = {}
    for phase in ("exam", "baseline"):
        results = {"start": [], "page": [], "save": [], "submit": []}
        errors: list = []
        clock = PhaseClock([int(p) for p in str(args.server_pid).split(",")])
        await asyncio.gather(*(candidate(i, setup_data, args, phase, clock.t0, results, errors) for i in range(n)))
        out[phase] = {**clock.figures(), "latencies_ms": results, "errors": errors}
        await asyncio.sleep(1.0)
    return out


def generate(args) -> None:
    run_generator(generate_async, args)


# ======================================================================================================= driver
def tasks_mode(backend: str, args) -> str:
    return args.tasks or ("worker" if backend == "postgres" else "inline")


def run_backend(backend: str, mode: str, args, workdir: Path) -> dict:
    tag = f"{backend}-{mode}"
    worker = (
        {"ELEARN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"} if tasks_mode(backend, args) == "worker" else {}
    )
    env = server_env(
        backend, "elearn.settings.dev", "postgres://postgres@127.0.0.1:5432/elearn_bench_exam",
        workdir / f"bench{tag}.sqlite3",  # a fresh file per run
        **worker,
    )  # fmt: skip
    migrate_fresh_database(backend, env)
    setup_file = workdir / f"setup-{tag}.json"
    subprocess.run(
        [PY, __file__, "--setup", "--candidates", str(args.candidates), "--setup-file", str(setup_file),
         "--mode", mode, "--cost-samples", str(args.cost_samples)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    cost_file = workdir / f"cost-{tag}.json"
    subprocess.run(
        [PY, __file__, "--cost", "--setup-file", str(setup_file), "--cost-samples", str(args.cost_samples),
         "--out", str(cost_file)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    core = SERVER_CORE if args.processes == 1 else None
    with (
        task_worker(env, workdir / f"worker-{tag}.log"),
        daphne_servers(args.processes, env, workdir / f"daphne-{tag}", core) as (ports, servers),
    ):
        out = workdir / f"load-{tag}.json"
        gen = [
            PY,
            __file__,
            "--generate",
            "--port",
            ",".join(map(str, ports)),
            "--setup-file",
            str(setup_file),
            "--candidates",
            str(args.candidates),
            "--saves",
            str(args.saves),
            "--interval",
            str(args.interval),
            "--ramp",
            str(args.ramp),
            "--client",
            args.client,
            "--server-pid",
            ",".join(str(s.pid) for s in servers),
            "--out",
            str(out),
        ]
        load = run_load(
            pinned(gen, GENERATOR_CORE) if args.processes == 1 else gen,
            env, out, timeout=args.candidates * 2 + args.saves * args.interval * 4 + 900,
        )  # fmt: skip
        check_file = workdir / f"verify-{tag}.json"  # with the worker still running: it waits for its queue
        subprocess.run(
            [PY, __file__, "--verify", "--setup-file", str(setup_file), "--out", str(check_file)],
            cwd=REPO, env=env, check=True,
        )  # fmt: skip
    load["stored"] = json.loads(check_file.read_text())
    load["cost"] = json.loads(cost_file.read_text())
    load["preparation"] = json.loads(setup_file.read_text()).get("preparation")
    return load


def summarise(backend: str, mode: str, load: dict, args) -> list[dict]:
    rows = []
    for phase in ("exam", "baseline"):
        data = load[phase]
        for kind in ("start", "page", "save", "submit") if args.client == "phone" else ("start", "save", "submit"):
            lat = data["latencies_ms"][kind]
            errs = [e for e in data["errors"] if e[0] == kind]
            rows.append(
                {
                    "backend": backend,
                    "mode": mode,
                    "phase": phase,
                    "kind": kind,
                    "ok": len(lat),
                    "errors": len(errs),
                    **latency_figures(lat, data["wall_s"]),
                }
            )
    return rows


def target_checks(rows, load, args) -> list[tuple[bool, str]]:
    def row(kind):
        return next(r for r in rows if r["phase"] == "exam" and r["kind"] == kind)

    stored = load["stored"]
    return [
        (row("start")["p95"] is not None and row("start")["p95"] < TARGET_P95_START_MS,
         f"start p95 {fmt(row('start')['p95'])} ms < {TARGET_P95_START_MS:,.0f}"),
        (row("save")["p95"] is not None and row("save")["p95"] < TARGET_P95_SAVE_MS,
         f"save p95 {fmt(row('save')['p95'])} ms < {TARGET_P95_SAVE_MS:,.0f}"),
        (not load["exam"]["errors"], f"{len(load['exam']['errors'])} errors"),
        (stored["submitted"] == args.candidates and stored["answers"] == args.candidates * args.saves
         and not stored["tasks"].get("pending") and not stored["tasks"].get("failed"),
         "everything stored"),
    ]  # fmt: skip


def print_table(all_rows, loads, args):
    print()
    print(
        f"Exam benchmark: {args.candidates} candidates, start within {args.ramp:g} s, {args.saves} saves each "
        f"every {args.interval:g} s (±50%), then submit; {args.processes} daphne process(es); client {args.client}; "
        "latencies in ms"
    )
    header = (
        f"{'backend':9} {'papers':9} {'phase':9} {'request':7} {'ok':>7} {'err':>5} {'req/s':>7} "
        f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in all_rows:
        label = "exam" if r["phase"] == "exam" else "baseline"
        kind = r["kind"] if r["phase"] == "exam" else "ping"
        print(
            f"{r['backend']:9} {r['mode']:9} {label:9} {kind:7} {r['ok']:>7,} {r['errors']:>5} {fmt(r['rps'], 1):>7} "
            f"{fmt(r['p50']):>7} {fmt(r['p95']):>7} {fmt(r['p99']):>7} {fmt(r['max']):>7}"
        )
    print()
    print("Cost per request, in-process before the load (median; CPU ms and database queries):")
    for (backend, mode), load in loads.items():
        parts = [f"{kind} {v['cpu_ms']:.1f} ms / {v['queries']:g} q" for kind, v in load["cost"].items()]
        print(f"  {backend:9} {mode:9} " + "; ".join(parts))
    print()
    for (backend, mode), load in loads.items():
        exam = load["exam"]
        stored = load["stored"]
        rows = [r for r in all_rows if r["backend"] == backend and r["mode"] == mode]
        _, targets = targets_line(target_checks(rows, load, args), ok_mark="ok  ")
        prep = load.get("preparation")
        prepared = (
            f"; {prep['papers']} papers drawn ahead in {prep['wall_s']:.1f} s ({prep['cpu_s']:.1f} s CPU)"
            if prep
            else ""
        )
        print(
            f"{backend} / {mode}: wall {exam['wall_s']:.1f} s, server CPU {exam['server_cpu_s']:.1f} s, generator CPU "
            f"{exam['generator_cpu_s']:.1f} s; load average {load['loadavg_before'][0]:.1f} before, "
            f"{load['loadavg_after'][0]:.1f} after; stored {stored['attempts']} attempts ({stored['from_prepared']} "
            f"with a prepared paper), {stored['submitted']} submitted, {stored['answers']} answers{prepared}"
        )
        tasks = stored["tasks"]
        print(
            "  after each submission (wrong-answer book, rankings): "
            + (
                f"a db_worker, its queue empty {tasks['drain_s']:.1f} s after the load ({tasks['done']} done, "
                f"{tasks['failed']} failed, {tasks['pending']} left)"
                if tasks
                else "inside the submit request (immediate task backend)"
            )
        )
        print(f"  {targets}")
        for what, count in error_tally(f"{kind}: {what}" for kind, what in exam["errors"]):
            print(f"    {count} x {what}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=6, help="answers saved per candidate")
    parser.add_argument("--interval", type=float, default=10.0, help="mean seconds between saves")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds within which every candidate starts")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--prepared", choices=["both", "yes", "no"], default="both",
        help="run with papers drawn ahead (yes), without (no: every start draws), or both, each on a fresh database",
    )  # fmt: skip
    parser.add_argument("--cost-samples", type=int, default=30, help="requests per kind in the in-process cost probe")
    parser.add_argument(
        "--client", choices=["api", "phone"], default="api",
        help="api: start over /api/v1 (the paper in the answer); phone: the exam page's script (the page's start "
        "answers JSON without the paper, then the attempt page) - latency of both reported as start and page",
    )  # fmt: skip
    parser.add_argument(
        "--tasks", choices=["worker", "inline"], default=None,
        help="worker (default on postgres): the scale-out deployment's task backend, django_tasks_db with one "
        "`manage.py db_worker`, as the README deploys it; inline (default on sqlite): the embedded default, the "
        "work after a submission (wrong-answer book, rankings) done inside the submit request",
    )  # fmt: skip
    parser.add_argument(
        "--processes", type=int, default=1,
        help="daphne processes (candidates spread over them round-robin, as a proxy would); 1 = pinned to core 0",
    )  # fmt: skip
    add_step_flags(parser)
    parser.add_argument("--mode", choices=["prepared", "drawn"], default="drawn", help=argparse.SUPPRESS)
    parser.add_argument("--setup-file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--port", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if run_requested_step(args, setup=setup, cost=cost, generate=generate, verify=verify):
        return

    raise_fd_limit()
    modes = {"both": ["prepared", "drawn"], "yes": ["prepared"], "no": ["drawn"]}[args.prepared]
    loads, rows = {}, []
    with work_directory("bench-exam-", args.keep) as workdir:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            for mode in modes:
                print(f"[{backend} / {mode}] preparing {args.candidates} candidates ...", flush=True)
                loads[(backend, mode)] = run_backend(backend, mode, args, workdir)
                rows += summarise(backend, mode, loads[(backend, mode)], args)
        print_table(rows, loads, args)
        write_results(
            "bench_exam",
            {
                "args": vars(args),
                "rows": rows,
                "stored": {f"{b}/{m}": v["stored"] for (b, m), v in loads.items()},
                "cost": {f"{b}/{m}": v["cost"] for (b, m), v in loads.items()},
                "preparation": {f"{b}/{m}": v["preparation"] for (b, m), v in loads.items()},
                "loadavg": {f"{b}/{m}": [v["loadavg_before"], v["loadavg_after"]] for (b, m), v in loads.items()},
            },
        )
        print()
        print("Full figures (issue 19), on a quiet machine:")
        print("  .venv/bin/python bench/bench_exam.py --backends postgres --processes 2 --candidates 1000 --ramp 10")
        print(
            "  .venv/bin/python bench/bench_exam.py --backends postgres --processes 2 --candidates 5000 --ramp 60 "
            "--saves 3 --interval 30"
        )
        print(
            "  .venv/bin/python bench/bench_exam.py --backends postgres --processes 2 --candidates 1000 --ramp 10 "
            "--client phone   # the exam page's own flow: start, then the attempt page"
        )


if __name__ == "__main__":
    main()
