"""Evidence upload benchmark: N members of staff each hand in a campaign task (活动任务) with a ~300 KB phone photo
within a window (default 2,000 within 10 minutes), over HTTP through daphne (2 processes, like behind a proxy), on
PostgreSQL; beside a same-run baseline of a bare upload view that only writes the bytes to a file.

  1. prepares the scratch database (PostgreSQL `elearn_bench_evidence`, dropped and re-created; or a fresh SQLite
     file), migrates, creates N staff with logged-in sessions, a current campaign and one open task for everyone
     (a two-item checklist, 1-3 photos, an optional text, review by the safety officer);
  2. makes one real-looking camera JPEG (1600x1200, textured, EXIF with camera make, time and GPS; quality chosen so
     that it weighs --photo-kb, default ~300 KB): what a phone without the outbox script sends, and about what
     outbox.js sends after downscaling;
  3. measures the cost of one submission in-process, before any load (separate accounts, Django's full middleware
     stack through its test client, no daphne): CPU and wall milliseconds and database queries of a task submission,
     of a baseline upload, and of elearn.evidence.clean_image alone (the median of --cost-samples);
  4. task phase: each person POSTs the task page's form at a random moment within --duration, as outbox.js does:
     multipart (checklist answers, text, the photo, client_uuid), `Accept: application/json`, X-CSRFToken; a fresh
     connection per request (a phone on mobile data);
  5. baseline phase, same run, same servers, same schedule and bodies: POST /__bench__/upload/ (bench/evidence_urls.py,
     mounted only by the benchmark's settings bench/evidence_settings.py): session, authentication, CSRF, the
     multipart parser and a file write, no decoding, no row;
  6. checks what was stored: for every 2xx {"ok": true} a submission row with that client_uuid and its photo (task),
     or the file (baseline); a 2xx without a stored row is a lost submission. It also opens a few stored photos: no
     EXIF left.
Every request has a timeout (120 s); a non-2xx answer, {"ok": false}, a timeout or a broken connection is an error.
Targets: zero errors, zero lost submissions; latency reported beside the baseline (p50/p95/p99).

    .venv/bin/python bench/bench_evidence.py                                   # 2,000 within 600 s (make bench-evidence)
    .venv/bin/python bench/bench_evidence.py --requests 200 --duration 60      # a quick check

PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/elearn_bench_evidence; dropped and
re-created: use a scratch database). Results: a table on stdout and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
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
    raise_fd_limit,
    run_generator,
    run_load,
    run_requested_step,
    server_env,
    targets_line,
    work_directory,
    write_results,
)

REQUEST_TIMEOUT = 120.0
BASELINE_PATH = "/__bench__/upload/"
BOUNDARY = "----elearnBenchBoundary7MA4YWxkTrZu0gW"


# ======================================================================================================= helpers
def camera_photo(target_kb: int, seed: int = 7) -> bytes:
    """A 1600x1200 JPEG that looks like a phone photo to an encoder (sky gradient, textured ground, objects, sensor
    noise) with camera EXIF and GPS, its quality chosen so that it weighs about `target_kb`."""
    from PIL import ExifTags, Image, ImageDraw, ImageFilter

    rnd = random.Random(seed)
    w, h = 1600, 1200
    sky = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    img = Image.blend(Image.new("RGB", (w, h), (90, 140, 210)), sky, 0.35)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, int(h * 0.55), w, h), fill=(120, 110, 95))  # floor
    for _ in range(60):  # boxes, a fire extinguisher, cables: edges for the encoder
        x, y = rnd.randrange(w), rnd.randrange(int(h * 0.3), h)
        bw, bh = rnd.randrange(30, 260), rnd.randrange(30, 220)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + bw, y + bh), fill=colour, outline=(20, 20, 20), width=3)
    for _ in range(40):
        draw.line([(rnd.randrange(w), rnd.randrange(h)) for _ in range(4)], fill=(30, 30, 30), width=4)
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise((w, h), 28).convert("RGB")
    img = Image.blend(img, noise, 0.22)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HUAWEI"
    exif[ExifTags.Base.Model] = "BENCH-AL00"
    exif[ExifTags.Base.DateTime] = "2026:06:12 09:41:07"
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 3.0)
    best = b""
    lo, hi = 20, 95
    while lo <= hi:  # the highest quality that stays within the target
        q = (lo + hi) // 2
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=q, exif=exif)
        data = buf.getvalue()
        if len(data) <= target_kb * 1024:
            best, lo = data, q + 1
        else:
            hi = q - 1
    if not best:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=20, exif=exif)
        best = buf.getvalue()
    return best


def multipart(fields: list[tuple[str, str]], photo: bytes) -> bytes:
    out = []
    for name, value in fields:
        out.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename="IMG_20260612_094107.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
    )
    out.append(photo)
    out.append(f"\r\n--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


# ======================================================================================================= setup
def setup(args) -> None:
    """Runs inside Django: staff with sessions, a current campaign and one open task. Writes the setup file."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.utils import timezone

    from campaign.tasks.models import Campaign, CampaignTask, ChecklistItem
    from campaign.tasks.services import item_field
    from elearn.org.models import Institution, User

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    institutions = [Institution.objects.create(name=f"压测医院{k}", short_name=f"压测{k}") for k in range(10)]
    users = User.objects.bulk_create(
        [
            User(
                employee_no=f"E{i:05d}", real_name=f"职工{i}", mobile=f"135{i:08d}", institution=institutions[i % 10],
                department="后勤保障部", role="staff", password="!unusable",
            )
            for i in range(args.requests)
        ]
    )  # fmt: skip
    # Accounts for the in-process cost probe, apart from the load's.
    User.objects.bulk_create(
        [
            User(
                employee_no=f"P{i:05d}", real_name=f"测量{i}", mobile=f"134{i:08d}", institution=institutions[0],
                department="后勤保障部", role="staff", password="!unusable",
            )
            for i in range(args.cost_samples + 2)
        ]
    )  # fmt: skip
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="压测安全生产月",
        theme="人人讲安全",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=29),
    )
    task = CampaignTask.objects.create(
        campaign=campaign, title="家庭隐患排查", audience=CampaignTask.Audience.EVERYONE,
        opens_at=timezone.now() - dt.timedelta(hours=1), due_on=today + dt.timedelta(days=7),
        photos_min=1, photos_max=3, text_label="发现的问题与整改情况", text_required=False, needs_review=True,
    )  # fmt: skip
    items = [
        ChecklistItem.objects.create(task=task, text="灭火器在有效期内", sort_order=0),
        ChecklistItem.objects.create(task=task, text="电源插座无过载", sort_order=1),
    ]
    sessions = logged_in_sessions(users, SessionStore)
    Path(args.setup_file).write_text(
        json.dumps(
            {
                "task_id": task.pk,
                "submit_path": f"/campaign/tasks/{task.pk}/",
                "item_fields": [item_field(item.key) for item in items],
                "sessions": sessions,
            }
        )
    )


def verify(args) -> None:
    """Runs inside Django after the load: what the server stored, against what it acknowledged."""
    import django

    django.setup()
    from django.conf import settings
    from PIL import Image

    from bench.evidence_urls import BASELINE_DIR
    from campaign.tasks.models import SubmissionPhoto, TaskSubmission

    setup_data = json.loads(Path(args.setup_file).read_text())
    acked = json.loads(Path(args.acked_file).read_text())
    task_ok = set(acked["task"])
    rows = TaskSubmission.objects.filter(task_id=setup_data["task_id"], user__employee_no__startswith="E")
    stored = {str(u) for u in rows.values_list("client_uuid", flat=True)}
    with_photo = {
        str(u)
        for u in SubmissionPhoto.objects.filter(submission__task_id=setup_data["task_id"]).values_list(
            "submission__client_uuid", flat=True
        )
    }
    exif_left = 0
    sample = list(SubmissionPhoto.objects.filter(submission__task_id=setup_data["task_id"]).order_by("?")[:5])
    for photo in sample:
        with photo.image.open("rb") as f:
            img = Image.open(f)
            img.load()
            if img.getexif() or "exif" in img.info:
                exif_left += 1
    folder = Path(settings.MEDIA_ROOT) / BASELINE_DIR
    baseline_files = {p.stem for p in folder.glob("*.jpg")} if folder.exists() else set()
    Path(args.out).write_text(
        json.dumps(
            {
                "task": {
                    "rows": rows.count(),
                    "photos": SubmissionPhoto.objects.filter(submission__in=rows).count(),
                    "lost": len(task_ok - stored),
                    "without_photo": len(task_ok - with_photo),
                    "sampled": len(sample),
                    "exif_left": exif_left,
                },
                "baseline": {"rows": len(baseline_files), "lost": len(set(acked["baseline"]) - baseline_files)},
            }
        )
    )


def cost(args) -> None:
    """Runs inside Django, before the load: what one submission costs in-process (Django's full middleware stack
    through its test client, no daphne), with accounts apart from the load's. The first two are warm-up."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.evidence_urls import BASELINE_DIR
    from elearn.evidence import clean_image
    from elearn.org.models import User

    setup_data = json.loads(Path(args.setup_file).read_text())
    photo = Path(args.photo_file).read_bytes()
    people = list(User.objects.filter(employee_no__startswith="P").order_by("pk"))
    client = Client(HTTP_HOST="127.0.0.1")
    notice = acknowledged_notice()
    samples: dict[str, dict[str, list]] = {}

    def record(kind, cpu, wall, queries):
        entry = samples.setdefault(kind, {"cpu_ms": [], "wall_ms": [], "queries": []})
        entry["cpu_ms"].append(cpu * 1000)
        entry["wall_ms"].append(wall * 1000)
        entry["queries"].append(queries)

    for k, person in enumerate(people):
        client.force_login(person)
        if notice:
            session = client.session
            session.update(notice)
            session.save()
        fields = {f: "yes" for f in setup_data["item_fields"]}
        fields.update(text="测量", client_uuid=str(uuid.uuid4()))
        for kind, path in (("task submit", setup_data["submit_path"]), ("baseline upload", BASELINE_PATH)):
            data = {**fields, "photos": SimpleUploadedFile("IMG_0001.jpg", photo, "image/jpeg")}
            with CaptureQueriesContext(connection) as queries:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                response = client.post(path, data, HTTP_ACCEPT="application/json")
                cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            if response.status_code != 200 or not response.json().get("ok"):
                raise RuntimeError(f"{kind}: HTTP {response.status_code} {response.content[:200]!r}")
            if k >= 2:
                record(kind, cpu, wall, len(queries))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        clean_image(SimpleUploadedFile("IMG_0001.jpg", photo, "image/jpeg"))
        if k >= 2:
            record("clean_image alone", time.process_time() - cpu0, time.perf_counter() - wall0, 0)
    shutil.rmtree(Path(settings.MEDIA_ROOT) / BASELINE_DIR, ignore_errors=True)  # the load's baseline is counted
    summary = {kind: {metric: statistics.median(values) for metric, values in v.items()} for kind, v in samples.items()}
    Path(args.out).write_text(json.dumps(summary))


# ======================================================================================================= generator
async def post(port: int, path: str, session: str, body: bytes) -> tuple[int, bytes]:
    """One POST on a fresh connection (a phone on mobile data), as outbox.js sends it."""
    token = "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: sessionid={session}; csrftoken={token}\r\n"
        f"X-CSRFToken: {token}\r\nAccept: application/json\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("closed")
        status = int(status_line.split()[1])
        length = None
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        payload = await (reader.readexactly(length) if length is not None else reader.read())
        return status, payload
    finally:
        writer.close()


async def person(i, setup_data, args, phase, photo, t0, results, errors, acked):
    rnd = random.Random(i)  # the same moment in both phases
    ports = [int(p) for p in str(args.port).split(",")]
    port = ports[i % len(ports)]
    at = t0 + rnd.uniform(0, args.duration)
    client_uuid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
    fields = [(f, rnd.choice(["yes", "yes", "no", "na"])) for f in setup_data["item_fields"]]
    fields += [("text", f"第{i}号：楼道杂物已清理，灭火器压力正常。"), ("client_uuid", client_uuid)]
    body = multipart(fields, photo)
    path = setup_data["submit_path"] if phase == "task" else BASELINE_PATH
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    began = time.perf_counter()
    try:
        status, payload = await asyncio.wait_for(post(port, path, setup_data["sessions"][i], body), REQUEST_TIMEOUT)
    except Exception as exc:  # counted, reported
        errors.append(type(exc).__name__)
        return
    elapsed = (time.perf_counter() - began) * 1000
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = None
    if 200 <= status < 300 and isinstance(answer, dict) and answer.get("ok") is True:
        results.append(elapsed)
        acked.append(client_uuid)
    else:
        errors.append(f"HTTP {status}: {payload[:120]!r}")


async def generate_async(args) -> dict:
    setup_data = json.loads(Path(args.setup_file).read_text())
    photo = Path(args.photo_file).read_bytes()
    n = min(args.requests, len(setup_data["sessions"]))
    pids = [int(p) for p in str(args.server_pid).split(",")]
    out, acked_all = {}, {}
    for phase in ("task", "baseline"):
        results, errors, acked = [], [], []
        clock = PhaseClock(pids)
        await asyncio.gather(
            *(person(i, setup_data, args, phase, photo, clock.t0, results, errors, acked) for i in range(n))
        )
        out[phase] = {**clock.figures(), "latencies_ms": results, "errors": errors}
        acked_all[phase] = acked
        await asyncio.sleep(1.0)
    Path(args.acked_file).write_text(json.dumps(acked_all))
    return out


def generate(args) -> None:
    run_generator(generate_async, args)


# ======================================================================================================= driver
def run(args, workdir: Path) -> dict:
    env = server_env(
        args.backend, "bench.evidence_settings", "postgres://postgres@127.0.0.1:5432/elearn_bench_evidence",
        workdir / "bench.sqlite3", MEDIA_ROOT=str(workdir / "media"),
    )  # fmt: skip
    migrate_fresh_database(args.backend, env)
    setup_file = workdir / "setup.json"
    subprocess.run(
        [PY, __file__, "--setup", "--requests", str(args.requests), "--setup-file", str(setup_file),
         "--cost-samples", str(args.cost_samples)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    photo = camera_photo(args.photo_kb)
    photo_file = workdir / "photo.jpg"
    photo_file.write_bytes(photo)
    cost_file = workdir / "cost.json"
    subprocess.run(
        [PY, __file__, "--cost", "--setup-file", str(setup_file), "--photo-file", str(photo_file), "--out",
         str(cost_file)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    out, acked_file = workdir / "load.json", workdir / "acked.json"
    with daphne_servers(args.processes, env, workdir / "daphne") as (ports, servers):
        load = run_load(
            [PY, __file__, "--generate", "--port", ",".join(map(str, ports)), "--setup-file", str(setup_file),
             "--photo-file", str(photo_file), "--requests", str(args.requests), "--duration", str(args.duration),
             "--server-pid", ",".join(str(s.pid) for s in servers), "--acked-file", str(acked_file), "--out", str(out)],
            env, out, timeout=args.duration * 2 + REQUEST_TIMEOUT * 2 + 600,
        )  # fmt: skip
    check_file = workdir / "verify.json"
    subprocess.run(
        [PY, __file__, "--verify", "--setup-file", str(setup_file), "--acked-file", str(acked_file),
         "--out", str(check_file)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    load["stored"] = json.loads(check_file.read_text())
    load["photo_bytes"] = len(photo)
    load["cost"] = json.loads(cost_file.read_text())
    return load


def summarise(load: dict) -> list[dict]:
    rows = []
    for phase in ("task", "baseline"):
        data = load[phase]
        lat = data["latencies_ms"]
        rows.append(
            {
                "phase": phase,
                "ok": len(lat),
                "errors": len(data["errors"]),
                "lost": load["stored"][phase]["lost"],
                "stored": load["stored"][phase]["rows"],
                **latency_figures(lat, data["wall_s"]),
                "server_cpu_s": data["server_cpu_s"],
            }
        )
    return rows


def print_table(rows, load, args) -> bool:
    print()
    print(
        f"Evidence benchmark: {args.requests} staff each hand in a campaign task with one {load['photo_bytes'] / 1024:.0f} KB "
        f"photo (1600x1200 JPEG with EXIF/GPS) at a random moment within {args.duration:g} s; {args.processes} daphne "
        f"process(es); {args.backend}; latencies in ms"
    )
    header = (
        f"{'phase':30} {'ok':>6} {'err':>5} {'stored':>7} {'lost':>5} {'req/s':>6} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'max':>7} {'srv CPU s':>9}"
    )
    print(header)
    print("-" * len(header))
    labels = {"task": "task submit (campaign/tasks)", "baseline": "baseline: bare upload"}
    for r in rows:
        print(
            f"{labels[r['phase']]:30} {r['ok']:>6,} {r['errors']:>5} {r['stored']:>7,} {r['lost']:>5} {fmt(r['rps'], 1):>6} "
            f"{fmt(r['p50']):>7} {fmt(r['p95']):>7} {fmt(r['p99']):>7} {fmt(r['max']):>7} {r['server_cpu_s']:>9.1f}"
        )
    task = load["stored"]["task"]
    print()
    print(f"Cost of one, in-process before the load (median of {args.cost_samples}; CPU ms / wall ms / queries):")
    print(
        "  "
        + "; ".join(
            f"{kind} {v['cpu_ms']:.0f} / {v['wall_ms']:.0f} ms / {v['queries']:g} q" for kind, v in load["cost"].items()
        )
    )
    print(
        f"wall {load['task']['wall_s']:.0f} s per phase; load average {load['loadavg_before'][0]:.1f} before, "
        f"{load['loadavg_after'][0]:.1f} after; task rows {task['rows']} with {task['photos']} photos, "
        f"{task['without_photo']} acknowledged without a stored photo; EXIF left in {task['exif_left']} of "
        f"{task['sampled']} sampled stored photos"
    )
    checks = [
        (not load["task"]["errors"], f"{len(load['task']['errors'])} errors"),
        (task["lost"] == 0 and task["without_photo"] == 0, f"{task['lost']} lost submissions"),
        (task["rows"] == args.requests, f"{task['rows']} of {args.requests} stored"),
        (task["exif_left"] == 0, "no EXIF in stored photos"),
    ]
    ok, line = targets_line(checks)
    print(line)
    for phase in ("task", "baseline"):
        for what, count in error_tally(load[phase]["errors"]):
            print(f"    {phase}: {count} x {what}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="staff, one submission each")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds within which everyone submits")
    parser.add_argument("--processes", type=int, default=2, help="daphne processes (round-robin, as a proxy would)")
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--photo-kb", type=int, default=300, help="size of the photo sent")
    parser.add_argument("--cost-samples", type=int, default=10, help="submissions in the in-process cost probe")
    add_step_flags(parser)
    parser.add_argument("--setup-file", help=argparse.SUPPRESS)
    parser.add_argument("--photo-file", help=argparse.SUPPRESS)
    parser.add_argument("--acked-file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--port", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if run_requested_step(args, setup=setup, cost=cost, generate=generate, verify=verify):
        return

    raise_fd_limit()
    with work_directory("bench-evidence-", args.keep) as workdir:
        print(f"[{args.backend}] preparing {args.requests} staff ...", flush=True)
        load = run(args, workdir)
        rows = summarise(load)
        ok = print_table(rows, load, args)
        write_results(
            "bench_evidence",
            {
                "args": {k: v for k, v in vars(args).items() if v is not None},
                "rows": rows,
                "stored": load["stored"],
                "photo_bytes": load["photo_bytes"],
                "cost": load["cost"],
                "loadavg": [load["loadavg_before"], load["loadavg_after"]],
                "targets_met": ok,
            },
        )
        print()
        print("Full figures, on a quiet machine: make bench-evidence")
        print("  .venv/bin/python bench/bench_evidence.py --requests 2000 --duration 600 --processes 2")


if __name__ == "__main__":
    main()
