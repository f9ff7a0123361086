"""Live competition benchmark: N simulated players (real WebSocket clients in a separate process) in one game.

For each case (backend x N x repeat) it
  1. prepares a database (fresh SQLite file, or the PostgreSQL database `elearn_bench` for the Redis backend),
     creates a public competition with Q questions, one game and N players (tokens), and a host session;
  2. starts ONE daphne process pinned to core 0 (taskset) and the load generator pinned to core 1 (uvloop); with
     --processes N (Redis backend only), N daphne processes on one Redis layer and PostgreSQL, unpinned: the host
     on the first, player i on process i mod N (the generator's own round-robin, as a load balancer would spread
     them), and the generator shares the cores with them;
  3. the generator connects the host and the N players and measures
       join      time from TCP connect to the first state frame, per player, and for all N;
       question  for each question, time from the host's "next" until each player has that question (p50/p99/max);
       ack       latency of N answers sent at random moments within 2 s (p50/p99), lost = not acknowledged;
       rank      time from the last answer (which closes the question early) until each player has their rank;
       final     after the last question the host moves on to the podium; every player's final score and rank as
                 their phone shows it is compared with the database (the ranking computed from the stored rows), and
                 the stored answers are counted (lost = acknowledged but not stored, or not acknowledged);
  4. in the same run, the baseline: a bare `websockets` broadcast() server (bench/baseline_ws_server.py, uvloop,
     core 0; with --processes N, N of them, the clients spread the same way) sends the same question payload to the
     same N clients, Q times;
  5. the generator records its own CPU per push and the server's; if the generator's reaches half the server's,
     the case is reported INVALID (the generator, not the server, would be the bottleneck).
Each case is repeated --repeat times; the table shows medians. Loopback only; every loop is bounded by timeouts.

    .venv/bin/python bench/bench_live.py --players 500,1000,2000 --repeat 3 --backends memory,redis
    .venv/bin/python bench/bench_live.py --players 10000 --processes 2 --backends redis --questions 5

Needs `taskset` (util-linux). With --backends redis, REDIS_URL (default redis://127.0.0.1:6379/0) and, if set,
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/elearn_bench) are used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
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
perf = time.perf_counter
SERVER_CORE, GENERATOR_CORE = "0", "1"


# =====================================================================================================================
# helpers
# =====================================================================================================================


def proc_cpu_ns(pid: int) -> int:
    """CPU time (ns) of every thread of process `pid` (on-CPU time from /proc/<pid>/task/*/schedstat)."""
    total = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
    except FileNotFoundError:
        pass
    return total


def pinned(cmd: list[str], core: str) -> list[str]:
    return (["taskset", "-c", core] if shutil.which("taskset") else []) + cmd


# =====================================================================================================================
# setup (runs with Django, in its own process, with the backend's environment)
# =====================================================================================================================
def do_setup(players: int, questions: int, out: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from elearn.org.models import Institution, User
    from quizzes.bank.models import Category, Question
    from quizzes.competitions import services
    from quizzes.competitions.models import Competition, CompetitionQuestion, Player, hash_token

    admin, _ = User.objects.get_or_create(
        employee_no="bench-admin", defaults={"real_name": "压测主持人", "role": User.Role.ADMIN}
    )
    institutions = [
        Institution.objects.get_or_create(
            name=f"压测单位{i:02d}", defaults={"short_name": f"压{i:02d}", "headcount": 100}
        )[0]
        for i in range(30)
    ]
    category, _ = Category.objects.get_or_create(name="压测题库", parent=None)
    stamp = f"{time.time():.6f}"
    picked = []
    for i in range(questions):
        q = Question.objects.create(
            category=category,
            type=Question.Type.SINGLE,
            stem=f"压测题 {stamp} #{i + 1}：发现火灾后应当立即拨打哪个电话报警？请在规定时间内作答。",
            options=["110 报警电话", "119 火警电话", "120 急救电话", "122 交通事故报警"],
            correct_options=[1],
            explanation="《中华人民共和国消防法》第四十四条。",
            status=Question.Status.ACTIVE,
        )
        picked.append(q)
    competition = Competition.objects.create(
        title=f"压测竞赛 {players} 人",
        source=Competition.Source.PICKED,
        seconds_per_question=120,
        scoring=Competition.Scoring.SPEED,
        audience=Competition.Audience.PUBLIC,
        institution_min_players=3,
        created_by=admin,
    )
    for i, q in enumerate(picked):
        CompetitionQuestion.objects.create(competition=competition, question=q, sort_order=i)
    game = services.competition_host(competition=competition, actor=admin)
    tokens = [Player.new_token() for _ in range(players)]
    Player.objects.bulk_create(
        [
            Player(game=game, nickname=f"选手{i:05d}", institution=institutions[i % 30], token_hash=hash_token(t))
            for i, t in enumerate(tokens)
        ],
        batch_size=500,
    )
    session = SessionStore()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()
    out.write_text(
        json.dumps(
            {
                "game": game.pk,
                "pin": game.pin,
                "questions": questions,
                "host_cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
                "player_cookie": f"elearn_player_{game.pk}",
                "tokens": tokens,
            }
        )
    )


# =====================================================================================================================
# generator (separate process, other core, uvloop)
# =====================================================================================================================
class CPU:
    def __init__(self, server_pids: list[int]):
        self.server_pids = server_pids
        self.samples: list[tuple[float, float]] = []  # (generator ms, servers' ms) per push

    def servers_ns(self) -> int:
        return sum(proc_cpu_ns(pid) for pid in self.server_pids)

    def start(self):
        return time.process_time_ns(), self.servers_ns()

    def stop(self, mark):
        g = (time.process_time_ns() - mark[0]) / 1e6
        s = (self.servers_ns() - mark[1]) / 1e6
        self.samples.append((g, s))
        return g, s

    def summary(self) -> dict:
        gen = sum(g for g, _ in self.samples)
        srv = sum(s for _, s in self.samples)
        worst = max((g / s if s else float("inf")) for g, s in self.samples) if self.samples else 0
        return {
            "gen_cpu_ms_per_push": round(gen / max(len(self.samples), 1), 2),
            "server_cpu_ms_per_push": round(srv / max(len(self.samples), 1), 2),
            "gen_server_ratio": round(gen / srv, 3) if srv else None,
            "worst_push_ratio": round(worst, 3),
            "valid": bool(srv) and gen / srv < 0.5,
        }


class Waiter:
    """Counts clients that reached a condition; resolves when all `expected` did (bounded by a timeout)."""

    def __init__(self, expected: int, start: float):
        self.expected, self.start = expected, start
        self.times: dict[int, float] = {}
        self.done = asyncio.get_running_loop().create_future()

    def hit(self, index: int, now: float) -> None:
        if index not in self.times:
            self.times[index] = now - self.start
            if len(self.times) >= self.expected and not self.done.done():
                self.done.set_result(True)

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(asyncio.shield(self.done), timeout)
            return True
        except TimeoutError:
            return False

    def stats(self) -> dict:
        ms = [v * 1000 for v in self.times.values()]
        return {
            "n": len(ms),
            "missing": self.expected - len(ms),
            "p50": round(pct(ms, 50), 1) if ms else None,
            "p99": round(pct(ms, 99), 1) if ms else None,
            "max": round(max(ms), 1) if ms else None,
        }


_INDEX = re.compile(rb'"index":(-?\d+)')


async def run_game(ports: list[int], setup: dict, server_pids: list[int], connect_batch: int) -> dict:
    from bench.wsclient import connect

    n = len(setup["tokens"])
    pin, gid = setup["pin"], setup["game"]
    cpu = CPU(server_pids)
    current: dict = {"question": None, "acks": None, "ranks": None, "join": None, "host_state": None, "final": None}
    finals: dict[int, dict] = {}  # client index -> the "me" of its podium frame
    sent_at: dict[int, float] = {}
    captured: dict = {}

    def on_player(client, payload: bytes, now: float) -> None:
        if payload.startswith(b'{"type":"state"'):
            w = current["join"]
            if w is not None and client.index not in w.times:
                w.hit(client.index, now)
            m = _INDEX.search(payload, 0, 400)
            idx = int(m.group(1)) if m else None
            if b'"phase":"question"' in payload[:300]:
                q = current["question"]
                if q is not None and idx == q[0]:
                    q[1].hit(client.index, now)
                    if "payload" not in captured:
                        captured["payload"] = payload.decode()
            elif b'"phase":"reveal"' in payload[:300] and b'"rank":' in payload:
                r = current["ranks"]
                if r is not None:
                    r.hit(client.index, now)
            elif b'"phase":"finished"' in payload[:300] and current["final"] is not None:
                me = json.loads(payload).get("me") or {}
                finals[client.index] = {"id": me.get("id"), "score": me.get("score"), "rank": me.get("rank")}
                current["final"].hit(client.index, now)
        elif payload.startswith(b'{"type":"ack"'):
            a = current["acks"]
            if a is not None and client.index in sent_at and b'"accepted"' in payload:
                a.times.setdefault(client.index, now - sent_at[client.index])
                if len(a.times) >= a.expected and not a.done.done():
                    a.done.set_result(True)
        elif payload.startswith(b'{"type":"error"'):
            current.setdefault("errors", []).append(payload[:200].decode(errors="replace"))

    def on_host(client, payload: bytes, now: float) -> None:
        if payload.startswith(b'{"type":"state"'):
            current["host_state"] = payload

    host = await connect(
        "127.0.0.1", ports[0], f"/ws/host/{gid}/", on_host, cookie=setup["host_cookie"], index=-1, timeout=30
    )
    # --- join -------------------------------------------------------------------------------------------------
    join = current["join"] = Waiter(n, perf())
    clients = []
    connect_started: dict[int, float] = {}
    sem = asyncio.Semaphore(connect_batch)

    async def one(i: int):
        async with sem:
            connect_started[i] = perf()
            c = await connect(
                "127.0.0.1", ports[i % len(ports)], f"/ws/play/{pin}/", on_player,
                cookie=f"{setup['player_cookie']}={setup['tokens'][i]}", index=i, timeout=240,
            )  # fmt: skip
            clients.append(c)

    t0 = perf()
    results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, Exception)]
    await join.wait(240)
    join_total = perf() - t0
    per_player = [(join.start + join.times[i]) - connect_started[i] for i in join.times if i in connect_started]
    join_stats = {
        "failed": len(failures),
        "all_s": round(join_total, 2),
        "p50_ms": round(pct(per_player, 50) * 1000, 1) if per_player else None,
        "p99_ms": round(pct(per_player, 99) * 1000, 1) if per_player else None,
    }
    current["join"] = None
    by_index = {c.index: c for c in clients}
    await asyncio.sleep(1.0)

    out = {"join": join_stats, "questions": [], "acks": [], "ranks": []}
    for qi in range(setup["questions"]):
        # --- host "next": question qi to every player ----------------------------------------------------------
        waiter = Waiter(len(by_index), perf())
        current["question"] = (qi, waiter)
        mark = cpu.start()
        waiter.start = perf()
        host.send_text(json.dumps({"action": "start" if qi == 0 else "next"}))
        ok = await waiter.wait(60)
        g, s = cpu.stop(mark)
        out["questions"].append(
            {**waiter.stats(), "complete": ok, "gen_cpu_ms": round(g, 1), "srv_cpu_ms": round(s, 1)}
        )
        current["question"] = None
        await asyncio.sleep(0.3)
        # --- burst: every player answers within 2 s --------------------------------------------------------------
        acks = Waiter(len(by_index), perf())
        ranks = Waiter(len(by_index), 0.0)
        current["acks"], current["ranks"] = acks, ranks
        sent_at.clear()
        loop = asyncio.get_running_loop()
        order = list(by_index)
        random.shuffle(order)
        frame_text = [
            json.dumps({"action": "answer", "index": qi, "choice": [random.choice([0, 1, 1, 1])]}) for _ in range(4)
        ]
        burst_start = loop.time()

        def send_answer(i, frame_text=frame_text, ranks=ranks):
            # The last answer closes the question early, and the ranks can arrive before the burst's sleep ends.
            sent_at[i] = ranks.start = perf()
            by_index[i].send_text(frame_text[i % 4])

        for k, i in enumerate(order):
            loop.call_at(burst_start + 2.0 * k / len(order), send_answer, i)
        await asyncio.sleep(2.05)
        await acks.wait(60)
        ack_ms = [v * 1000 for v in acks.times.values()]
        out["acks"].append(
            {
                "n": len(ack_ms),
                "lost": len(by_index) - len(ack_ms),
                "p50": round(pct(ack_ms, 50), 1) if ack_ms else None,
                "p99": round(pct(ack_ms, 99), 1) if ack_ms else None,
                "max": round(max(ack_ms), 1) if ack_ms else None,
            }
        )
        await ranks.wait(60)
        out["ranks"].append(ranks.stats())
        current["acks"] = current["ranks"] = None
        await asyncio.sleep(0.3)
        if qi + 1 < setup["questions"]:
            # reveal -> leaderboard (a push too, not timed here); the next loop's "next" opens the next question
            host.send_text('{"action":"next"}')
            await asyncio.sleep(1.0)
    # --- the podium: reveal -> leaderboard -> finished; every phone's final score and rank ------------------------
    final = current["final"] = Waiter(len(by_index), perf())
    host.send_text('{"action":"next"}')
    await asyncio.sleep(1.0)
    host.send_text('{"action":"next"}')
    await final.wait(60)
    out["finals"] = {str(by_index[i].index): me for i, me in finals.items()}
    out["final_missing"] = len(by_index) - len(finals)
    out["errors"] = current.get("errors", [])[:5]
    out["cpu"] = cpu.summary()
    out["payload"] = captured.get("payload", "")
    for c in clients:
        c.close()
    host.close()
    await asyncio.sleep(0.5)
    return out


async def run_baseline(ports: list[int], n: int, payload: str, pushes: int, server_pids: list[int], connect_batch: int):
    """The bare servers' broadcast: client i on ports[i mod len(ports)]; one control connection per server, all told
    "go" at once; a push is complete when every client has the payload."""
    from bench.wsclient import connect

    cpu = CPU(server_pids)
    current = {"w": None}
    control_replies: asyncio.Queue = asyncio.Queue()

    def on_frame(client, data: bytes, now: float):
        w = current["w"]
        if w is not None:
            w.hit(client.index, now)

    def on_control(client, data: bytes, now: float):
        control_replies.put_nowait(data)

    controls = [await connect("127.0.0.1", port, "/", on_control, index=-1) for port in ports]
    sem = asyncio.Semaphore(connect_batch)
    clients = []

    async def one(i):
        async with sem:
            clients.append(await connect("127.0.0.1", ports[i % len(ports)], "/", on_frame, index=i, timeout=60))

    async def replies():
        for _ in controls:
            await asyncio.wait_for(control_replies.get(), 10)

    await asyncio.gather(*(one(i) for i in range(n)))
    for control in controls:
        control.send_text("payload:" + payload)
    await replies()
    await asyncio.sleep(0.5)
    pushes_out = []
    for _ in range(pushes):
        w = current["w"] = Waiter(n, perf())
        mark = cpu.start()
        w.start = perf()
        for control in controls:
            control.send_text("go")
        await w.wait(30)
        g, s = cpu.stop(mark)
        pushes_out.append({**w.stats(), "gen_cpu_ms": round(g, 1), "srv_cpu_ms": round(s, 1)})
        current["w"] = None
        await replies()
        await asyncio.sleep(0.5)
    for c in clients:
        c.close()
    for control in controls:
        control.close()
    return {"pushes": pushes_out, "cpu": cpu.summary()}


def do_generate(args) -> None:
    import uvloop

    sys.path.insert(0, str(REPO))
    ports = [int(p) for p in args.ports.split(",")]
    pids = [int(p) for p in args.server_pids.split(",")]
    if args.mode == "game":
        setup = json.loads(Path(args.setup_file).read_text())
        coro = run_game(ports, setup, pids, args.connect_batch)
    else:
        coro = run_baseline(
            ports, int(args.players), Path(args.payload_file).read_text(), args.pushes, pids, args.connect_batch
        )
    result = uvloop.run(asyncio.wait_for(coro, timeout=1200))
    Path(args.out).write_text(json.dumps(result))


# =====================================================================================================================
# orchestrator
# =====================================================================================================================
def backend_env(backend: str, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "elearn.settings.dev",
            "DJANGO_DEBUG": "0",
            "PYTHONPATH": str(REPO),
            "DB_POOL_MAX": "20",
        }
    )
    if backend == "redis":
        env["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/elearn_bench")
    else:
        env["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    return env


def prepare_database(backend: str, env: dict, workdir: Path) -> None:
    if backend == "redis":
        recreate_postgres(env["DATABASE_URL"])
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
    )


def start_servers(cmd, count: int, env: dict, log_stem: Path) -> tuple[list[int], list[subprocess.Popen]]:
    """`count` servers from `cmd(port)`: one pinned to the server core, or several sharing every core."""
    ports = [free_port() for _ in range(count)]
    servers = []
    for k, port in enumerate(ports):
        command = pinned(cmd(port), SERVER_CORE) if count == 1 else cmd(port)
        log = open(log_stem.with_name(f"{log_stem.name}-{k}.log"), "w")
        servers.append(subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log))
    for port, server in zip(ports, servers, strict=True):
        wait_port(port, server)
    return ports, servers


def generate(mode: str, ports, servers, count: int, out: Path, env: dict, extra: list[str], timeout: int) -> dict:
    command = [PY, __file__, "--generate", "--mode", mode, "--ports", ",".join(map(str, ports)),
               "--server-pids", ",".join(str(s.pid) for s in servers), "--out", str(out), *extra]  # fmt: skip
    subprocess.run(
        pinned(command, GENERATOR_CORE) if count == 1 else command, cwd=REPO, env=env, check=True, timeout=timeout
    )
    return json.loads(out.read_text())


def run_case(backend: str, n: int, args, env: dict, workdir: Path) -> dict:
    setup_file = workdir / f"setup-{backend}-{n}.json"
    subprocess.run(
        [PY, __file__, "--setup", "--players", str(n), "--questions", str(args.questions), "--setup-file", str(setup_file)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    count = args.processes

    def daphne(port):
        return [PY, "-m", "daphne", "-e", f"tcp:port={port}:interface=127.0.0.1:backlog=4096",
                "--websocket_connect_timeout", "240", "--ping-interval", "20", "--ping-timeout", "60",
                "elearn.asgi:application"]  # fmt: skip

    ports, servers = start_servers(daphne, count, env, workdir / f"daphne-{backend}-{n}")
    try:
        extra = ["--setup-file", str(setup_file), "--connect-batch", str(args.connect_batch)]
        game = generate("game", ports, servers, count, workdir / f"game-{backend}-{n}.json", env, extra, 1500)
    finally:
        for server in servers:
            stop(server)
    verify_file = workdir / f"verify-{backend}-{n}.json"
    game_file = workdir / f"game-{backend}-{n}.json"
    subprocess.run(
        [PY, __file__, "--verify", "--setup-file", str(setup_file), "--game-file", str(game_file), "--out", str(verify_file)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    game["verify"] = json.loads(verify_file.read_text())
    payload_file = workdir / "payload.txt"
    payload_file.write_text(game["payload"] or "x" * 290)

    def bare(port):
        return [PY, str(REPO / "bench" / "baseline_ws_server.py"), "--port", str(port)]

    ports, servers = start_servers(bare, count, env, workdir / f"base-{backend}-{n}")
    try:
        extra = ["--players", str(n), "--payload-file", str(payload_file), "--pushes", str(args.questions),
                 "--connect-batch", str(args.connect_batch)]  # fmt: skip
        base = generate("baseline", ports, servers, count, workdir / f"base-{backend}-{n}.json", env, extra, 600)
    finally:
        for server in servers:
            stop(server)
    return {
        "backend": backend,
        "players": n,
        "processes": count,
        "game": game,
        "baseline": base,
        "payload_bytes": len(game["payload"]),
    }


def do_verify(setup_file: Path, game_file: Path, out: Path) -> None:
    """After a game: each phone's final score and rank against the ranking computed from the database, and the
    stored answers against the acknowledged ones."""
    import django

    django.setup()
    from quizzes.competitions.models import Game, Player, PlayerAnswer, hash_token
    from quizzes.competitions.selectors import ranked_players

    setup, game_out = json.loads(setup_file.read_text()), json.loads(game_file.read_text())
    game = Game.objects.select_related("competition").get(pk=setup["game"])
    ids = dict(Player.objects.filter(game=game).values_list("token_hash", "pk"))
    ranked = {row["id"]: (row["score"], row["rank"]) for row in ranked_players(game)}
    mismatched = 0
    for index, me in game_out.get("finals", {}).items():
        player_id = ids.get(hash_token(setup["tokens"][int(index)]))
        if me.get("id") != player_id or (me.get("score"), me.get("rank")) != ranked.get(player_id):
            mismatched += 1
    acknowledged = sum(a["n"] for a in game_out["acks"])
    stored = PlayerAnswer.objects.filter(game_question__game=game).count()
    out.write_text(
        json.dumps(
            {
                "final_checked": len(game_out.get("finals", {})),
                "final_mismatched": mismatched,
                "acknowledged": acknowledged,
                "stored": stored,
            }
        )
    )


def summarise(case: dict) -> dict:
    g, b = case["game"], case["baseline"]
    q = g["questions"]
    return {
        "join_all_s": g["join"]["all_s"],
        "join_p99_ms": g["join"]["p99_ms"],
        "join_failed": g["join"]["failed"],
        "q_p50": statistics.median(x["p50"] for x in q if x["p50"] is not None),
        "q_p99": statistics.median(x["p99"] for x in q if x["p99"] is not None),
        "q_missing": sum(x["missing"] for x in q),
        "ack_p50": statistics.median(x["p50"] for x in g["acks"] if x["p50"] is not None),
        "ack_p99": statistics.median(x["p99"] for x in g["acks"] if x["p99"] is not None),
        "lost": sum(x["lost"] for x in g["acks"]) + max(0, g["verify"]["acknowledged"] - g["verify"]["stored"]),
        "final_wrong": g["verify"]["final_mismatched"] + g["final_missing"],
        "processes": case["processes"],
        "rank_p99": statistics.median(x["p99"] for x in g["ranks"] if x["p99"] is not None),
        "rank_missing": sum(x["missing"] for x in g["ranks"]),
        "base_p50": statistics.median(x["p50"] for x in b["pushes"]),
        "base_p99": statistics.median(x["p99"] for x in b["pushes"]),
        "gen_srv": g["cpu"]["gen_server_ratio"],
        "base_gen_srv": b["cpu"]["gen_server_ratio"],
        "valid": g["cpu"]["valid"],
        "base_valid": b["cpu"]["valid"],
        "payload": case["payload_bytes"],
    }


def median_of(runs: list[dict]) -> dict:
    out = {}
    for key in runs[0]:
        values = [r[key] for r in runs if r[key] is not None]
        if key in ("valid", "base_valid"):
            out[key] = all(values)
        elif key in ("lost", "q_missing", "rank_missing", "join_failed", "final_wrong"):
            out[key] = sum(values)
        else:
            out[key] = statistics.median(values) if values else None
    out["runs"] = len(runs)
    return out


def table(rows: list[tuple[str, int, dict]]) -> str:
    head = (
        f"{'backend':<8}{'procs':>6}{'N':>7}{'join all s':>11}{'join p99':>10}{'q p50':>8}{'q p99':>8}{'base p50':>9}"
        f"{'base p99':>9}{'q/base':>8}{'ack p50':>9}{'ack p99':>9}{'lost':>6}{'rank p99':>10}{'gen/srv':>9}"
        f"{'base g/s':>9}{'valid':>7}{'base ok':>8}{'final≠db':>9}"
    )
    lines = [head, "-" * len(head)]
    for backend, n, m in rows:
        ratio = m["q_p99"] / m["base_p99"] if m["base_p99"] else float("nan")
        valid = "yes" if m["valid"] else "NO"
        base_valid = "yes" if m["base_valid"] else "NO"
        lines.append(
            f"{backend:<8}{m.get('processes', 1):>6}{n:>7}{m['join_all_s']:>11.2f}{m['join_p99_ms']:>10.0f}{m['q_p50']:>8.0f}{m['q_p99']:>8.0f}"
            f"{m['base_p50']:>9.0f}{m['base_p99']:>9.0f}{ratio:>8.1f}{m['ack_p50']:>9.0f}{m['ack_p99']:>9.0f}"
            f"{m['lost']:>6}{m['rank_p99']:>10.0f}{m['gen_srv']:>9.2f}{m['base_gen_srv']:>9.2f}{valid:>7}{base_valid:>8}"
            f"{m.get('final_wrong', '-'):>9}"
        )
    lines.append(
        "times in ms unless noted; medians of the repeats. q = host 'next' until each player has the question;"
        " base = bare websockets broadcast() of the same payload to the same N clients; ack = answer acknowledgement"
        " during a burst of N answers in 2 s; lost = not acknowledged, or acknowledged and not stored; rank = last answer"
        " until each player has their rank; gen/srv = generator CPU / server CPU per push; valid / base ok = every run of"
        " the case stayed below 0.5 (game / baseline); final≠db = phones whose podium score or rank differs from the"
        " ranking computed from the database, or that got no podium; procs = daphne processes (and bare servers)."
    )
    return "\n".join(lines)


def orchestrate(args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="elearn-bench-"))
    sizes = [int(x) for x in args.players.split(",")]
    rows, raw = [], []
    for backend in args.backends.split(","):
        if args.processes > 1 and backend != "redis":
            print(f"[{backend}] skipped: {args.processes} processes need a shared channel layer (--backends redis)")
            continue
        env = backend_env(backend, workdir)
        print(f"[{backend}] preparing database ...", flush=True)
        prepare_database(backend, env, workdir)
        for n in sizes:
            summaries = []
            for r in range(args.repeat):
                started = time.monotonic()
                case = run_case(backend, n, args, env, workdir)
                raw.append(case | {"game": {k: v for k, v in case["game"].items() if k != "payload"}})
                s = summarise(case)
                summaries.append(s)
                print(
                    f"[{backend}] N={n} run {r + 1}/{args.repeat}: q p99 {s['q_p99']:.0f} ms (base {s['base_p99']:.0f}),"
                    f" ack p99 {s['ack_p99']:.0f} ms, lost {s['lost']}, rank p99 {s['rank_p99']:.0f} ms,"
                    f" final≠db {s['final_wrong']}, join all {s['join_all_s']} s, gen/srv {s['gen_srv']}, valid {s['valid']}"
                    f" ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
                if case["game"].get("errors"):
                    print("   errors:", case["game"]["errors"], flush=True)
            rows.append((backend, n, median_of(summaries)))
    text = table(rows)
    print()
    print(text)
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": rows, "raw": raw}, indent=1, default=str))
        Path(args.out).with_suffix(".txt").write_text(text + "\n")
    shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--players", default="500,1000,2000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="memory,redis")
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--connect-batch", type=int, default=100)
    parser.add_argument(
        "--processes", type=int, default=1, help="daphne processes (more than 1: Redis backend, no core pinning)"
    )
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "bench_live.json"))
    parser.add_argument("--table-from", help="print the table of a saved --out file and exit")
    # internal modes
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--game-file", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["game", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--ports", help=argparse.SUPPRESS)
    parser.add_argument("--server-pids", help=argparse.SUPPRESS)
    parser.add_argument("--setup-file", help=argparse.SUPPRESS)
    parser.add_argument("--payload-file", help=argparse.SUPPRESS)
    parser.add_argument("--pushes", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.table_from:
        print(table([tuple(row) for row in json.loads(Path(args.table_from).read_text())["rows"]]))
    elif args.setup:
        do_setup(int(args.players), args.questions, Path(args.setup_file))
    elif args.generate:
        do_generate(args)
    elif args.verify:
        do_verify(Path(args.setup_file), Path(args.game_file), Path(args.out))
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        orchestrate(args)


if __name__ == "__main__":
    main()
