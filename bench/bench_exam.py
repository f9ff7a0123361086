"""Exam load benchmark: N candidates start the same exam within a ramp (default 10 s), then each saves an answer
every few seconds over HTTP and finally submits; all through one daphne process, like a phone would.

For each backend it
  1. prepares a database (a fresh SQLite file; or the scratch PostgreSQL database `elearn_bench_exam`), migrates,
     and creates N candidates with logged-in sessions, a 300-question bank and an exam drawing 50 questions;
  2. starts ONE daphne process (pinned to core 0 with taskset when available) and runs the load generator in a
     separate process (core 1; asyncio + uvloop, raw HTTP/1.1 keep-alive connections, loopback only);
  3. exam phase: POST /api/v1/exams/<id>/start/ at a random moment within the ramp, then --saves times
     POST /api/v1/attempts/<id>/answer/ after a random pause of 0.5-1.5 x --interval seconds, then POST .../submit/;
  4. baseline phase, same run, same server, same schedule: every request goes to GET /exams/ping/ (a trivial view
     through the same middleware, session and authentication stack);
  5. checks the database afterwards: N attempts, N submitted, N x saves answers stored.
Every request has a timeout (60 s); a non-2xx answer, a timeout or a broken connection counts as an error.

    .venv/bin/python bench/bench_exam.py --candidates 1000                      # SQLite and PostgreSQL
    .venv/bin/python bench/bench_exam.py --candidates 200 --backends sqlite

PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/elearn_bench_exam; dropped and
re-created: use a scratch database). Results: a table on stdout and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import free_port, pct, stop, wait_port
from bench.scratch import recreate_postgres

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
SERVER_CORE, GENERATOR_CORE = "0", "1"
TARGET_P95_SAVE_MS = 300.0
REQUEST_TIMEOUT = 60.0


# ======================================================================================================= helpers


def pinned(cmd: list[str], core: str) -> list[str]:
    return (["taskset", "-c", core] if shutil.which("taskset") else []) + cmd


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


# ======================================================================================================= setup
def setup(args) -> None:
    """Runs inside Django: candidates with sessions, a bank, an exam. Writes the setup file for the generator."""
    import django

    django.setup()
    import datetime as dt
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
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
    exam = Exam.objects.create(
        title="压测考试", status="published", opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1),
        time_limit_minutes=30, attempts_allowed=1, pass_mark=Decimal("80"),
    )  # fmt: skip
    for order, (qtype, count) in enumerate([("single", 25), ("multiple", 10), ("truefalse", 10), ("fill", 5)]):
        ExamSection.objects.create(
            exam=exam, sort_order=order, question_type=qtype, category=category, count=count, points=2
        )
    sessions = []
    backend = settings.AUTHENTICATION_BACKENDS[0]
    for user in users:
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = backend
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        sessions.append(s.session_key)
    Path(args.setup_file).write_text(json.dumps({"exam_id": exam.pk, "sessions": sessions}))


def verify(args) -> None:
    """Runs inside Django after the load: what the server stored."""
    import django

    django.setup()
    from quizzes.exams.models import Attempt, AttemptAnswer

    out = {
        "attempts": Attempt.objects.count(),
        "submitted": Attempt.objects.filter(state="submitted").count(),
        "answers": AttemptAnswer.objects.count(),
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
        if phase == "exam":
            payload = await timed("start", "POST", f"/api/v1/exams/{exam_id}/start/", {})
            if payload is None:
                return
            attempt = json.loads(payload)
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
        results = {"start": [], "save": [], "submit": []}
        errors: list = []
        pids = [int(p) for p in str(args.server_pid).split(",")]
        cpu_server0 = sum(proc_cpu_seconds(p) for p in pids)
        cpu_gen0 = time.process_time()
        t0 = time.monotonic() + 0.5
        await asyncio.gather(*(candidate(i, setup_data, args, phase, t0, results, errors) for i in range(n)))
        wall = time.monotonic() - t0
        out[phase] = {
            "wall_s": wall,
            "server_cpu_s": sum(proc_cpu_seconds(p) for p in pids) - cpu_server0,
            "generator_cpu_s": time.process_time() - cpu_gen0,
            "latencies_ms": results,
            "errors": errors,
        }
        await asyncio.sleep(1.0)
    return out


def generate(args) -> None:
    raise_fd_limit()
    try:
        import uvloop

        result = uvloop.run(generate_async(args))
    except ImportError:
        result = asyncio.run(generate_async(args))
    Path(args.out).write_text(json.dumps(result))


# ======================================================================================================= driver
def backend_env(backend: str, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "elearn.settings.dev",
            "DJANGO_DEBUG": "0",
            "PYTHONPATH": str(REPO),
            "DJANGO_LOG_LEVEL": "ERROR",
        }
    )
    if backend == "postgres":
        env["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/elearn_bench_exam"
        )
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        env["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    return env


def prepare_database(backend: str, env: dict) -> None:
    if backend == "postgres":
        recreate_postgres(env["DATABASE_URL"])
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
    )


def run_backend(backend: str, args, workdir: Path) -> dict:
    env = backend_env(backend, workdir)
    prepare_database(backend, env)
    setup_file = workdir / f"setup-{backend}.json"
    subprocess.run(
        [PY, __file__, "--setup", "--candidates", str(args.candidates), "--setup-file", str(setup_file)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    ports, servers, logs = [], [], []
    for k in range(args.processes):
        port = free_port()
        log = open(workdir / f"daphne-{backend}-{k}.log", "w")
        cmd = [PY, "-m", "daphne", "-e", f"tcp:port={port}:interface=127.0.0.1:backlog=4096", "elearn.asgi:application"]
        server = subprocess.Popen(
            pinned(cmd, SERVER_CORE) if args.processes == 1 else cmd,
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        ports.append(port)
        servers.append(server)
        logs.append(log)
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_port(port, server)
        out = workdir / f"load-{backend}.json"
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
            "--server-pid",
            ",".join(str(s.pid) for s in servers),
            "--out",
            str(out),
        ]
        subprocess.run(
            pinned(gen, GENERATOR_CORE) if args.processes == 1 else gen,
            cwd=REPO, env=env, check=True, timeout=args.candidates * 2 + args.saves * args.interval * 4 + 900,
        )  # fmt: skip
        load = json.loads(out.read_text())
    finally:
        for server in servers:
            stop(server)
        for log in logs:
            log.close()
    check_file = workdir / f"verify-{backend}.json"
    subprocess.run([PY, __file__, "--verify", "--out", str(check_file)], cwd=REPO, env=env, check=True)
    load["stored"] = json.loads(check_file.read_text())
    return load


def summarise(backend: str, load: dict, args) -> list[dict]:
    rows = []
    for phase in ("exam", "baseline"):
        data = load[phase]
        for kind in ("start", "save", "submit"):
            lat = data["latencies_ms"][kind]
            errs = [e for e in data["errors"] if e[0] == kind]
            rows.append(
                {
                    "backend": backend,
                    "phase": phase,
                    "kind": kind,
                    "ok": len(lat),
                    "errors": len(errs),
                    "rps": len(lat) / data["wall_s"] if data["wall_s"] else 0,
                    "p50": pct(lat, 50),
                    "p95": pct(lat, 95),
                    "p99": pct(lat, 99),
                    "max": max(lat) if lat else None,
                    "mean": statistics.fmean(lat) if lat else None,
                }
            )
    return rows


def fmt(v, digits=0):
    return "-" if v is None else f"{v:,.{digits}f}"


def print_table(all_rows, loads, args):
    print()
    print(
        f"Exam benchmark: {args.candidates} candidates, start within {args.ramp:g} s, {args.saves} saves each "
        f"every {args.interval:g} s (±50%), then submit; {args.processes} daphne process(es); latencies in ms"
    )
    header = f"{'backend':9} {'phase':9} {'request':7} {'ok':>7} {'err':>5} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
    print(header)
    print("-" * len(header))
    for r in all_rows:
        label = "exam" if r["phase"] == "exam" else "baseline"
        kind = r["kind"] if r["phase"] == "exam" else {"start": "ping", "save": "ping", "submit": "ping"}[r["kind"]]
        print(
            f"{r['backend']:9} {label:9} {kind:7} {r['ok']:>7,} {r['errors']:>5} {fmt(r['rps'], 1):>7} "
            f"{fmt(r['p50']):>7} {fmt(r['p95']):>7} {fmt(r['p99']):>7} {fmt(r['max']):>7}"
        )
    print()
    for backend, load in loads.items():
        exam = load["exam"]
        stored = load["stored"]
        expect_answers = args.candidates * args.saves
        save_p95 = next(
            r["p95"] for r in all_rows if r["backend"] == backend and r["phase"] == "exam" and r["kind"] == "save"
        )
        errors = len(exam["errors"])
        print(
            f"{backend}: wall {exam['wall_s']:.1f} s, server CPU {exam['server_cpu_s']:.1f} s, generator CPU "
            f"{exam['generator_cpu_s']:.1f} s; stored {stored['attempts']} attempts, {stored['submitted']} submitted, "
            f"{stored['answers']} answers (expected {args.candidates}/{args.candidates}/{expect_answers})"
        )
        ok = (
            errors == 0
            and save_p95 is not None
            and save_p95 < TARGET_P95_SAVE_MS
            and stored["submitted"] == args.candidates
            and stored["answers"] == expect_answers
        )
        print(
            f"  target (p95 save < {TARGET_P95_SAVE_MS:.0f} ms, zero errors, everything stored): {'MET' if ok else 'NOT MET'}"
        )
        if exam["errors"]:
            sample = {}
            for kind, what in exam["errors"]:
                sample.setdefault(f"{kind}: {what}", 0)
                sample[f"{kind}: {what}"] += 1
            for what, count in list(sample.items())[:8]:
                print(f"    {count} x {what}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=6, help="answers saved per candidate")
    parser.add_argument("--interval", type=float, default=10.0, help="mean seconds between saves")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds within which every candidate starts")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--processes", type=int, default=1,
        help="daphne processes (candidates spread over them round-robin, as a proxy would); 1 = pinned to core 0",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs) for inspection")
    # internal modes
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup-file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--port", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        return setup(args)
    if args.generate:
        return generate(args)
    if args.verify:
        return verify(args)

    raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix="bench-exam-"))
    loads, rows = {}, []
    try:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            print(f"[{backend}] preparing {args.candidates} candidates ...", flush=True)
            loads[backend] = run_backend(backend, args, workdir)
            rows += summarise(backend, loads[backend], args)
        print_table(rows, loads, args)
        results = REPO / "bench" / "results"
        results.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (results / f"bench_exam-{stamp}.json").write_text(
            json.dumps(
                {"args": vars(args), "rows": rows, "stored": {b: v["stored"] for b, v in loads.items()}}, indent=1
            )
        )
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
