"""Exam fault injection against a real daphne on loopback (issue 8, item 3).

Candidates are threads with one HTTP session each that behave like the phone client (elearn/static/quizzes/exam.js):
every answer gets the next client sequence number and goes into a queue that keeps the newest answer per question;
the oldest queued answer is sent, and a failed send (broken connection, timeout, 5xx) is retried after a short
back-off while the candidate keeps answering. Every save the server acknowledged (2xx) is recorded with its
question and sequence number.

- test_daphne_killed_mid_exam: SIGKILL daphne while saves are in flight, start a new one on the same port.
- test_postgres_restarted_mid_exam (`make reliability` only, PostgreSQL): restart PostgreSQL while saves are in
  flight. Each failure must be a 503 with the API's JSON error body and Retry-After (no HTML 500, no hang), and the
  connection pool must hand out working connections again once PostgreSQL is back.

Afterwards, for both: no acknowledged answer is lost (per question the database holds the newest acknowledged value:
an older save never overwrote it), every attempt resumes with the same paper and its answers and can be submitted,
and each candidate has exactly one attempt.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from quizzes.exams.models import Attempt, AttemptAnswer
from tests.e2e.conftest import start_server, stop_server
from tests.factories import InstitutionFactory, UserFactory
from tests.quizzes.exam_factories import exam_with_sections, make_bank

CANDIDATES = 24
TIMEOUT = (3.0, 30.0)  # connect, read: longer than the pool's wait for a connection (DB_POOL_TIMEOUT, 10 s)
BACKOFF = (0.05, 1.0)  # exam.js backs off 1 s doubling to 15 s; shorter here to keep the test quick, plus jitter
RUN_LIMIT = 90.0  # hard bound for the whole client run (seconds)


@dataclass(frozen=True)
class Ack:
    position: int
    seq: int
    response: list


@dataclass
class Tally:
    """What every candidate saw, counted under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: int = 0
    ack_times: list = field(default_factory=list)  # monotonic times of acknowledged saves
    connection_errors: int = 0
    outage_503s: int = 0  # 503 + {"error": "database_unavailable", "detail": ...} + Retry-After
    server_errors: list = field(default_factory=list)  # any other 5xx: (status, content type, first bytes)
    failures: list = field(default_factory=list)  # (sent, answered) monotonic times of failed requests
    slowest_503: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    deadline: float = field(default_factory=lambda: time.monotonic() + RUN_LIMIT)

    def acked(self):
        with self.lock:
            self.acks += 1
            self.ack_times.append(time.monotonic())

    def longest_gap(self, since: float) -> float:
        """The longest time, from `since`, in which no candidate's save was acknowledged."""
        times = [since, *sorted(t for t in self.ack_times if t > since)]
        return max(b - a for a, b in zip(times, times[1:], strict=False)) if len(times) > 1 else 0.0

    def failed(self, sent: float, response: requests.Response | None):
        answered = time.monotonic()
        with self.lock:
            self.failures.append((sent, answered))
            if response is None:
                self.connection_errors += 1
            elif is_outage_503(response):
                self.outage_503s += 1
                self.slowest_503 = max(self.slowest_503, answered - sent)
            else:
                self.server_errors.append(
                    (response.status_code, response.headers.get("Content-Type"), response.text[:200])
                )

    def wait_for_acks(self, n: int, timeout: float = 30.0):
        end = time.monotonic() + timeout
        while self.acks < n:
            if time.monotonic() > end:
                raise AssertionError(f"only {self.acks} of {n} acknowledged saves within {timeout} s")
            time.sleep(0.05)


def is_outage_503(response: requests.Response) -> bool:
    if response.status_code != 503 or not response.headers.get("Retry-After", "").isdigit():
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return set(body) == {"error", "detail"} and body["error"] == "database_unavailable" and bool(body["detail"])


def answer_for(question: dict, seq: int, rng: random.Random) -> list:
    """A valid response as the server stores it (choice indexes sorted and unique; one string per blank)."""
    if question["type"] == "fill":
        return [f"答{seq}"] * max(question["blanks"], 1)
    n = len(question["options"])
    if question["type"] == "multiple":
        return sorted(rng.sample(range(n), rng.randint(1, n)))
    return [rng.randrange(n)]


class Candidate(threading.Thread):
    """One phone: start (or resume) the attempt, then answer and save until told to stop, then flush the queue."""

    def __init__(self, base: str, user, exam_id: int, tally: Tally, seed: int, delay: float):
        super().__init__(daemon=True)
        client = Client()
        client.force_login(user)
        token = _get_new_csrf_string()
        self.http = requests.Session()
        self.http.cookies.set("sessionid", client.cookies["sessionid"].value)
        self.http.cookies.set("csrftoken", token)
        self.http.headers.update({"X-CSRFToken": token, "Accept": "application/json"})
        self.base, self.user, self.exam_id, self.tally = base, user, exam_id, tally
        self.rng, self.delay = random.Random(seed), delay
        self.started: dict | None = None  # the start (or resume) payload
        self.acks: list[Ack] = []
        self.pending: dict[int, tuple[int, list]] = {}  # position -> (seq, response), newest answer only
        self.error: BaseException | None = None

    def call(self, method: str, path: str, **kwargs) -> dict | None:
        """One try: the JSON of a 2xx answer, or None after a failure worth retrying (tallied)."""
        sent = time.monotonic()
        try:
            res = self.http.request(method, f"{self.base}{path}", timeout=TIMEOUT, **kwargs)
        except requests.RequestException:
            self.tally.failed(sent, None)
            return None
        if 200 <= res.status_code < 300:
            return res.json()
        if res.status_code >= 500:
            self.tally.failed(sent, res)
            return None
        raise AssertionError(f"{method} {path}: {res.status_code} {res.text[:300]}")

    def call_until_ok(self, method: str, path: str, **kwargs) -> dict:
        backoff = BACKOFF[0]
        while (body := self.call(method, path, **kwargs)) is None:
            if time.monotonic() > self.tally.deadline:
                raise AssertionError(f"{method} {path} never succeeded")
            time.sleep(backoff * self.rng.uniform(0.5, 1.5))  # jitter: phones do not retry in step
            backoff = min(backoff * 2, BACKOFF[1])
        return body

    def run(self):
        try:
            self._run()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def _run(self):
        time.sleep(self.delay)
        self.started = self.call_until_ok("post", f"/api/v1/exams/{self.exam_id}/start/", json={})
        paper, attempt_id, seq = self.started["questions"], self.started["id"], self.started["max_seq"]
        backoff = BACKOFF[0]
        while True:
            if time.monotonic() > self.tally.deadline:
                raise AssertionError(f"{len(self.pending)} answers still queued at the deadline")
            if not self.tally.stop.is_set():  # the candidate answers another question
                seq += 1
                question = self.rng.choice(paper)
                self.pending[question["position"]] = (seq, answer_for(question, seq, self.rng))
            if not self.pending:
                return
            position = min(self.pending, key=lambda p: self.pending[p][0])
            sent_seq, response = self.pending[position]
            body = self.call(
                "post",
                f"/api/v1/attempts/{attempt_id}/answer/",
                json={"position": position, "response": response, "seq": sent_seq},
            )
            if body is None:
                time.sleep(backoff * self.rng.uniform(0.5, 1.5))  # jitter: phones do not retry in step
                backoff = min(backoff * 2, BACKOFF[1])
                continue
            backoff = BACKOFF[0]
            self.acks.append(Ack(body["position"], body["seq"], body["response"]))
            self.tally.acked()
            if self.pending[position][0] <= body["seq"]:
                del self.pending[position]
            time.sleep(self.rng.uniform(0.02, 0.1))


def newest(acks: list[Ack]) -> dict[int, Ack]:
    latest: dict[int, Ack] = {}
    for ack in acks:
        if ack.position not in latest or ack.seq > latest[ack.position].seq:
            latest[ack.position] = ack
    return latest


def prepare(base: str, tally: Tally, candidates: int = CANDIDATES):
    """An open exam (every question type) and its candidates; starts are spread over the first second."""
    category, _ = make_bank()
    exam = exam_with_sections(category)
    institution = InstitutionFactory()
    users = UserFactory.create_batch(candidates, institution=institution)
    return exam, [
        Candidate(base, user, exam.pk, tally, seed=i, delay=i * 1.0 / candidates) for i, user in enumerate(users)
    ]


def finish_and_check(exam, clients: list[Candidate], tally: Tally, record_property) -> int:
    """Stop the candidates, flush their queues, then check the database and the API. Returns the lost count."""
    tally.stop.set()
    for c in clients:
        c.join(timeout=max(1.0, tally.deadline - time.monotonic()))
    errors = [f"{c.user.employee_no}: {c.error!r}" for c in clients if c.error or c.is_alive()]
    assert not errors, errors
    assert all(not c.pending for c in clients)

    # Every acknowledged save is in the database, or something newer for that question is.
    stored = {
        (a.attempt_id, a.attempt_question.position): (a.seq, a.response)
        for a in AttemptAnswer.objects.filter(attempt__exam=exam).select_related("attempt_question")
    }
    acknowledged = lost = 0
    for c in clients:
        for ack in c.acks:
            acknowledged += 1
            seq, response = stored.get((c.started["id"], ack.position), (0, None))
            if seq < ack.seq or (seq == ack.seq and response != ack.response):
                lost += 1
    record_property("acknowledged_answers", acknowledged)
    record_property("lost_answers", lost)

    # One attempt per candidate, whatever was retried.
    per_user = Counter(Attempt.objects.filter(exam=exam).values_list("user_id", flat=True))
    assert per_user == Counter({c.user.pk: 1 for c in clients})

    # Each attempt resumes with its paper and the newest acknowledged answers, and can be submitted.
    for c in clients:
        attempt_id = c.started["id"]
        resumed = c.call("get", f"/api/v1/attempts/{attempt_id}/")
        assert resumed is not None and resumed["id"] == attempt_id
        assert resumed["questions"] == c.started["questions"]
        saved = {a["position"]: (a["seq"], a["response"]) for a in resumed["answers"]}
        assert saved == {p: (a.seq, a.response) for p, a in newest(c.acks).items()}
        again = c.call("post", f"/api/v1/exams/{exam.pk}/start/", json={})
        assert again is not None and again["id"] == attempt_id
        done = c.call("post", f"/api/v1/attempts/{attempt_id}/submit/")
        assert done is not None and done["state"] == "submitted"
    assert Attempt.objects.filter(exam=exam, state=Attempt.State.SUBMITTED).count() == len(clients)
    return lost


# ---------------------------------------------------------------------------------------------- daphne killed


def test_daphne_killed_mid_exam(transactional_db, record_property):
    proc, base = start_server()
    port = urlsplit(base).port
    tally = Tally()
    try:
        exam, clients = prepare(base, tally)
        for c in clients:
            c.start()
        tally.wait_for_acks(2 * CANDIDATES)

        killed_at = time.monotonic()
        os.kill(proc.pid, signal.SIGKILL)  # mid-save: requests in flight lose their connection
        proc.wait(timeout=10)
        acks_before = tally.acks
        proc, _ = start_server(port=port)
        record_property("restart_seconds", round(time.monotonic() - killed_at, 2))
        tally.wait_for_acks(acks_before + 3 * CANDIDATES)
        record_property("save_gap_seconds", round(tally.longest_gap(killed_at), 2))

        lost = finish_and_check(exam, clients, tally, record_property)
    finally:
        tally.stop.set()
        stop_server(proc)
    record_property("server_errors", len(tally.server_errors) + tally.outage_503s)
    record_property("connection_errors", tally.connection_errors)
    assert lost == 0
    assert tally.connection_errors > 0, "the kill interrupted no request: the test proved nothing"
    assert not tally.server_errors and tally.outage_503s == 0, tally.server_errors


# ---------------------------------------------------------------------------------------------- PostgreSQL restarted


def _pg_cluster() -> list[str]:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or not shutil.which("pg_ctlcluster") or os.geteuid() != 0:
        pytest.skip("needs root and the local PostgreSQL cluster (pg_ctlcluster)")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"]


def _pg(cluster: list[str], action: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*cluster, action], capture_output=True, text=True, timeout=timeout)


@pytest.mark.postgres
@pytest.mark.reliability_only
def test_postgres_restarted_mid_exam(transactional_db, record_property):
    host = connection.settings_dict.get("HOST") or "localhost"
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
        pytest.skip("PostgreSQL is not the local cluster")
    cluster = _pg_cluster()
    proc, base = start_server()
    tally = Tally()
    try:
        exam, clients = prepare(base, tally)
        for c in clients:
            c.start()
        tally.wait_for_acks(2 * CANDIDATES)

        restart_at = time.monotonic()
        done = _pg(cluster, "restart")
        assert done.returncode == 0, done.stderr
        back_at = time.monotonic()
        acks_before = tally.acks
        tally.wait_for_acks(acks_before + 3 * CANDIDATES, timeout=60)
        record_property("save_gap_seconds", round(tally.longest_gap(restart_at), 2))

        connection.close()  # this process's own connection died with the restart too
        lost = finish_and_check(exam, clients, tally, record_property)
    finally:
        tally.stop.set()
        stop_server(proc)
        if _pg(cluster, "status").returncode != 0:  # never leave PostgreSQL stopped
            _pg(cluster, "start")
    failed_after = [answered for sent, answered in tally.failures if answered > restart_at]
    record_property("pg_restart_seconds", round(back_at - restart_at, 2))
    record_property("recovery_seconds", round(max([back_at, *failed_after]) - back_at, 2))
    record_property("outage_503s", tally.outage_503s)
    record_property("slowest_503_seconds", round(tally.slowest_503, 2))
    record_property("connection_errors", tally.connection_errors)
    record_property("server_errors", len(tally.server_errors))
    assert lost == 0
    assert not tally.server_errors, tally.server_errors
    assert tally.connection_errors == 0, "the server must answer during the outage, not drop connections"
    assert tally.outage_503s > 0, "the restart interrupted no request: the test proved nothing"
