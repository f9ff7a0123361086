"""Helpers shared by the benchmarks: percentiles, the table's figures and the results file; for those that drive a
real server (bench_exam, bench_evidence, bench_live): ports, the server's environment, starting and stopping daphne,
the driver's steps and work directory, and the load generator's process."""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.scratch import recreate_postgres

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


# ======================================================================================================= figures
def pct(values, q):
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[k]


def latency_figures(latencies_ms: list, wall_s: float) -> dict:
    """A table row's figures for one kind of request: requests per second over `wall_s`, p50, p95, p99, max, mean."""
    return {
        "rps": len(latencies_ms) / wall_s if wall_s else 0,
        "p50": pct(latencies_ms, 50),
        "p95": pct(latencies_ms, 95),
        "p99": pct(latencies_ms, 99),
        "max": max(latencies_ms) if latencies_ms else None,
        "mean": statistics.fmean(latencies_ms) if latencies_ms else None,
    }


def fmt(v, digits=0):
    """A figure for the table: thousands separated, "-" for none."""
    return "-" if v is None else f"{v:,.{digits}f}"


def targets_line(checks: list[tuple[bool, str]], ok_mark: str = "ok") -> tuple[bool, str]:
    """Whether every check passed, and the line that says so: `targets: MET (ok what; MISS what; ...)`."""
    met = all(ok for ok, _ in checks)
    marks = "; ".join(f"{ok_mark if ok else 'MISS'} {what}" for ok, what in checks)
    return met, f"targets: {'MET' if met else 'NOT MET'} ({marks})"


def error_tally(errors, most: int = 8) -> list[tuple[str, int]]:
    """The first `most` distinct errors, in the order they first happened, each with how often it happened."""
    return list(collections.Counter(errors).items())[:most]


def write_results(name: str, data, **json_options) -> Path:
    """`data` as JSON in bench/results/<name>-<yyyymmdd-hhmmss>.json (indented by 1 unless told otherwise)."""
    folder = REPO / "bench" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, **{"indent": 1, **json_options}))
    return path


# ======================================================================================================= driver
def add_step_flags(parser: argparse.ArgumentParser) -> None:
    """--keep, and the hidden --setup, --cost, --generate and --verify by which the driver runs the script again for
    each step, in a process of its own."""
    parser.add_argument("--keep", action="store_true", help="keep the work directory (server logs) for inspection")
    for step in ("--setup", "--cost", "--generate", "--verify"):
        parser.add_argument(step, action="store_true", help=argparse.SUPPRESS)


def run_requested_step(args, **steps) -> bool:
    """Run the step asked for by its flag (setup=..., cost=..., ...): True when there was one."""
    for name, step in steps.items():
        if getattr(args, name):
            step(args)
            return True
    return False


@contextlib.contextmanager
def work_directory(prefix: str, keep: bool):
    """A temporary directory for databases, results of the steps and server logs; removed afterwards unless `keep`."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    finally:
        if keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def server_env(backend: str, settings: str, database_url: str, sqlite_path: Path, **extra: str) -> dict:
    """The environment of the server and of the Django steps: `settings`, no debug, errors only in the log; on
    postgres BENCH_DATABASE_URL (default `database_url`) and REDIS_URL when set, otherwise the SQLite file
    `sqlite_path`; plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "DJANGO_DEBUG": "0",
            "PYTHONPATH": str(REPO),
            "DJANGO_LOG_LEVEL": "ERROR",
            **extra,
        }
    )
    if backend == "postgres":
        env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", database_url)
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        env["SQLITE_PATH"] = str(sqlite_path)
    return env


def migrate_fresh_database(backend: str, env: dict) -> None:
    """The scratch PostgreSQL database dropped and re-created (on postgres), then migrated."""
    if backend == "postgres":
        recreate_postgres(env["DATABASE_URL"])
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
    )


def pinned(cmd: list[str], core: str) -> list[str]:
    return (["taskset", "-c", core] if shutil.which("taskset") else []) + cmd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def task_worker(env: dict, log_path: Path):
    """One `manage.py db_worker` (django-tasks' database backend), as the README's scale-out deployment runs it, when
    `env` names that backend; nothing otherwise. Stopped after."""
    if env.get("ELEARN_TASKS_BACKEND") != "django_tasks_db.DatabaseBackend":
        yield None
        return
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [PY, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            yield worker
        finally:
            stop(worker)


@contextlib.contextmanager
def daphne_servers(count: int, env: dict, log_stem: Path, core: str | None = None):
    """`count` daphne processes serving elearn.asgi on free loopback ports, each logging to <log_stem>-<k>.log (pinned
    to `core` with taskset when given and available). Yields (ports, processes) once all listen; stops them after."""
    ports, servers, logs = [], [], []
    try:
        for k in range(count):
            port = free_port()
            log = open(f"{log_stem}-{k}.log", "w")
            logs.append(log)
            endpoint = f"tcp:port={port}:interface=127.0.0.1:backlog=4096"
            cmd = [PY, "-m", "daphne", "-e", endpoint, "elearn.asgi:application"]
            if core is not None:
                cmd = pinned(cmd, core)
            servers.append(subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log))
            ports.append(port)
        for port, server in zip(ports, servers, strict=True):
            wait_port(port, server)
        yield ports, servers
    finally:
        for server in servers:
            stop(server)
        for log in logs:
            log.close()


def run_load(cmd: list[str], env: dict, out: Path, timeout: float) -> dict:
    """Run the load generator `cmd`, which writes its figures to `out` as JSON; they come back with the machine's
    load average before and after."""
    load_avg = os.getloadavg()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, timeout=timeout)
    load = json.loads(out.read_text())
    load["loadavg_before"] = load_avg
    load["loadavg_after"] = os.getloadavg()
    return load


def acknowledged_notice() -> dict:
    """What a phone's session holds once its owner has acknowledged the privacy notice (elearn.privacy, when the
    project has it): the staff of a real campaign or exam have, so the benchmark's sessions have it too. Inside
    Django only."""
    try:
        from elearn.privacy.middleware import SESSION_KEY
        from elearn.privacy.notice import current_version
    except ImportError:
        return {}
    return {SESSION_KEY: current_version()}


def logged_in_sessions(users, session_store) -> list[str]:
    """The keys of new sessions (of the `session_store` class) in which each of `users` is logged in and has
    acknowledged the privacy notice, as their phones would hold them. Inside Django only."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    backend = settings.AUTHENTICATION_BACKENDS[0]
    notice = acknowledged_notice()
    sessions = []
    for user in users:
        s = session_store()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = backend
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.update(notice)
        s.create()
        sessions.append(s.session_key)
    return sessions


# ======================================================================================================= generator
def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PhaseClock:
    """The clocks of one load phase, started on creation: `t0`, half a second later, is the moment the phase's
    schedule counts from; `figures()` gives the wall seconds since t0 and the CPU seconds the server processes and
    this process have spent since the start."""

    def __init__(self, server_pids: list[int]):
        self.server_pids = server_pids
        self.server_cpu0 = self.server_cpu()
        self.generator_cpu0 = time.process_time()
        self.t0 = time.monotonic() + 0.5

    def server_cpu(self) -> float:
        return sum(proc_cpu_seconds(p) for p in self.server_pids)

    def figures(self) -> dict:
        wall = time.monotonic() - self.t0
        return {
            "wall_s": wall,
            "server_cpu_s": self.server_cpu() - self.server_cpu0,
            "generator_cpu_s": time.process_time() - self.generator_cpu0,
        }


def run_generator(generate_async, args) -> None:
    """The load generator's process: more file descriptors, `generate_async(args)` on uvloop (asyncio without it),
    its result written to args.out as JSON."""
    raise_fd_limit()
    try:
        import uvloop

        result = uvloop.run(generate_async(args))
    except ImportError:
        result = asyncio.run(generate_async(args))
    Path(args.out).write_text(json.dumps(result))
