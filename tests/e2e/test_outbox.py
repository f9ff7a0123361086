"""elearn/static/elearn/outbox.js in Chromium on a 360x740 phone.

A harness page is fulfilled by Playwright on the live server's origin (with the site's own CSP header), loads the real
/static/elearn/outbox.js from the server, and posts to a routed URL whose answers the test chooses: network down
(offline mode, aborted request), 503, 403 (CSRF failure page), 400 with field errors, 200 with a redirect. The
routed endpoint is idempotent on client_uuid, as the real views must be, and records every POST it receives."""

import email.parser
import email.policy
import io
import re
import time
import urllib.request
import uuid

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import expect

from tests.e2e.conftest import no_horizontal_scroll

HARNESS = "/__outbox_harness__/report/"
OTHER = "/__outbox_other__/"
SUBMIT = "/__outbox_submit__/"
DONE = "/__outbox_done__/"
SOMEONE_ELSE = "/__outbox_someone_else__/"
SIGNED_OUT = "/__outbox_signed_out__/"

FORM = """<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/elearn/base.css"><title>outbox harness</title></head>
<body><main class="main">
<form method="post" action="%(submit)s" data-outbox="hazard-report" data-outbox-user="%(user)s" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="harness-token">
  <input type="hidden" name="client_uuid">
  <p><label for="title">标题</label><input type="text" id="title" name="title"></p>
  <p><label for="note">说明</label><textarea id="note" name="note"></textarea></p>
  <p><label for="kind">类别</label><select id="kind" name="kind">
    <option value="fire">消防</option><option value="electric">用电</option></select></p>
  <fieldset><legend>地点</legend>
    <label><input type="radio" name="place" value="ward">病区</label>
    <label><input type="radio" name="place" value="lab">检验科</label></fieldset>
  <p><label><input type="checkbox" name="urgent" value="1">紧急</label></p>
  <p><label for="photos">照片</label>
    <input type="file" id="photos" name="photos" accept="image/*" capture="environment" multiple data-outbox-photos></p>
  <p><label for="file">附件</label><input type="file" id="file" name="file"></p>
  <p data-outbox-status aria-live="polite"></p>
  <button type="submit" class="btn block">提交</button>
</form></main>
<script src="/static/elearn/outbox.js"></script></body></html>"""

PLAIN = """<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>%(title)s</title>
<script src="/static/elearn/outbox.js" defer data-outbox-strings%(user)s></script></head><body><main><h1>%(title)s</h1></main></body></html>"""


def camera_jpeg(width=3000, height=2000, orientation=1) -> bytes:
    """A camera-like JPEG with GPS EXIF (and, when asked, an EXIF orientation)."""
    img = Image.new("RGB", (width, height))
    img.paste((200, 60, 40), (0, 0, width // 2, height))  # left half red: lets the test see the rotation
    img.paste((40, 90, 200), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 3.0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, str | None, bytes]]:
    """(name, filename, bytes) for each part of a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts.append((name, part.get_filename(), part.get_payload(decode=True) or b""))
    return parts


class Endpoint:
    """The routed submit URL. `mode` decides the answer; a POST with a client_uuid it accepted before gets the same
    success again without a second row (as the real views do)."""

    def __init__(self):
        self.mode = "ok"
        self.posts: list[dict] = []
        self.rows: dict[str, dict] = {}
        self.held = []

    def __call__(self, route, request):
        body = request.post_data_buffer or b""
        parts = parse_multipart(request.headers.get("content-type", ""), body)
        fields = {name: data.decode() for name, filename, data in parts if filename is None}
        files = [(name, filename, data) for name, filename, data in parts if filename is not None]
        post = {"fields": fields, "files": files, "headers": request.headers, "mode": self.mode}
        self.posts.append(post)
        if self.mode == "abort":
            route.abort("internetdisconnected")
        elif self.mode == "503":
            route.fulfill(status=503, content_type="text/html", body="<h1>Service Unavailable</h1>")
        elif self.mode == "csrf":
            route.fulfill(status=403, content_type="text/html", body="<h1>CSRF verification failed.</h1>")
        elif self.mode == "400":
            route.fulfill(
                status=400,
                json={
                    "ok": False,
                    "message": "请修改后再提交",
                    "errors": {"title": ["标题至少 4 个字"], "__all__": ["说明太短"]},
                },
            )
        elif self.mode == "hold":
            self.held.append(route)
        else:
            self.accept(route, fields, files)

    def accept(self, route, fields, files):
        key = fields.get("client_uuid", "")
        self.rows.setdefault(key, {"fields": fields, "files": files})
        route.fulfill(status=200, json={"ok": True, "redirect": DONE, "message": "已收到"})

    def successes(self) -> int:
        return len(self.rows)


def wait_until(page, condition, timeout=20.0):
    """Let the page (and the route handlers, which run while Playwright waits) work until condition() holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        page.wait_for_timeout(100)


@pytest.fixture
def harness(server, phone):
    """The phone on the harness page: returns (page, endpoint, errors) where errors collects page errors and console
    errors (a CSP violation shows up there)."""
    with urllib.request.urlopen(f"{server}/accounts/login/") as res:
        csp = res.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    headers = {"Content-Security-Policy": csp}
    endpoint = Endpoint()
    context = phone.context

    def page_route(html):
        return lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", headers=headers, body=html
        )

    context.route(f"{server}{HARNESS}", page_route(FORM % {"submit": SUBMIT, "user": "7"}))
    context.route(f"{server}{OTHER}", page_route(PLAIN % {"title": "另一个页面", "user": ' data-outbox-user="7"'}))
    context.route(f"{server}{DONE}", page_route(PLAIN % {"title": "提交成功", "user": ""}))
    # A page signed in as someone else (a shared phone), and one signed out.
    context.route(f"{server}{SOMEONE_ELSE}", page_route(PLAIN % {"title": "别人", "user": ' data-outbox-user="8"'}))
    context.route(f"{server}{SIGNED_OUT}", page_route(PLAIN % {"title": "未登录", "user": ' data-outbox-user=""'}))
    context.route(f"{server}{SUBMIT}", endpoint)
    errors = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    # Chromium logs each failed request ("Failed to load resource: ... 503"): expected here, anything else is not.
    phone.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    phone.goto(f"{server}{HARNESS}")
    return phone, endpoint, errors


def status(page):
    return page.locator("[data-outbox-status]")


def test_draft_with_photos_survives_a_reload_and_photos_are_downscaled_without_exif(harness, server, shot, tmp_path):
    page, endpoint, errors = harness
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(camera_jpeg(orientation=6))  # stored 3000x2000, shown rotated: 2000x3000
    second = tmp_path / "IMG_0002.jpg"
    second.write_bytes(camera_jpeg(1200, 900))
    notes = tmp_path / "notes.txt"
    notes.write_text("不是照片")
    attachment = tmp_path / "report.pdf"
    attachment.write_bytes(b"%PDF-1.4 not a photo: sent as picked")

    page.fill("#title", "配电间门口堆放杂物")
    page.fill("#note", "纸箱挡住了灭火器")
    page.select_option("#kind", "electric")
    page.check("input[name=place][value=lab]")
    page.check("input[name=urgent]")
    expect(status(page)).to_have_text("已保存草稿")
    page.set_input_files("#photos", [str(photo), str(notes), str(second)])
    expect(page.locator(".outbox-photos img")).to_have_count(2, timeout=20000)
    expect(status(page)).to_contain_text("“notes.txt”不是可用的照片")
    expect(page.locator("#photos")).to_have_value("")  # the originals are not kept in the input
    assert no_horizontal_scroll(page)
    shot(page, "outbox-01-draft")

    # Remove the second photo: the buttons are named by number.
    expect(page.get_by_role("button", name="删除照片 1")).to_be_visible()
    page.get_by_role("button", name="删除照片 2").click()
    expect(page.locator(".outbox-photos img")).to_have_count(1)
    box = page.get_by_role("button", name="删除照片 1").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44

    # Reload: text, choices and the photo come back.
    page.wait_for_timeout(800)
    page.reload()
    expect(status(page)).to_have_text("已恢复草稿")
    expect(page.locator("#title")).to_have_value("配电间门口堆放杂物")
    expect(page.locator("#note")).to_have_value("纸箱挡住了灭火器")
    expect(page.locator("#kind")).to_have_value("electric")
    expect(page.locator("input[name=place][value=lab]")).to_be_checked()
    expect(page.locator("input[name=urgent]")).to_be_checked()
    expect(page.locator(".outbox-photos img")).to_have_count(1)
    client_uuid = page.locator("input[name=client_uuid]").input_value()
    assert uuid.UUID(client_uuid).version == 4

    page.set_input_files("#file", str(attachment))  # a file input without data-outbox-photos: sent as is
    page.click("button[type=submit]")
    page.wait_for_url(f"**{DONE}")
    assert len(endpoint.posts) == 1
    post = endpoint.posts[0]
    assert post["headers"]["accept"] == "application/json"
    assert post["headers"]["x-csrftoken"] == "harness-token"
    assert post["fields"] == {
        "title": "配电间门口堆放杂物",
        "note": "纸箱挡住了灭火器",
        "kind": "electric",
        "place": "lab",
        "urgent": "1",
        "client_uuid": client_uuid,
    }
    [pdf] = [f for f in post["files"] if f[0] == "file"]
    assert pdf == ("file", "report.pdf", attachment.read_bytes())
    [(name, filename, data)] = [f for f in post["files"] if f[0] == "photos"]
    assert filename.endswith(".jpg")
    sent = Image.open(io.BytesIO(data))
    assert sent.format == "JPEG"
    assert sent.size == (1067, 1600)  # EXIF orientation applied, longest side 1600
    assert sent.convert("RGB").getpixel((500, 100))[0] > 150  # rotated 90° clockwise: the red half is on top
    assert not sent.getexif() and "exif" not in sent.info  # no EXIF at all, so no GPS
    assert len(data) < 400_000

    # The draft is gone once the server took it.
    page.goto(f"{server}{HARNESS}")
    expect(page.locator("#title")).to_have_value("")
    expect(page.locator(".outbox-photos img")).to_have_count(0)
    assert page.locator("input[name=client_uuid]").input_value() != client_uuid
    assert errors == []


def test_offline_submission_is_queued_and_sent_when_the_network_returns(harness, shot):
    page, endpoint, errors = harness
    page.fill("#title", "楼梯间应急灯不亮")
    expect(status(page)).to_have_text("已保存草稿")
    # Offline mode fires the browser's offline/online events; routed requests would still be answered, so the
    # endpoint drops them as a dead network does.
    page.context.set_offline(True)
    endpoint.mode = "abort"
    page.click("button[type=submit]")
    expect(status(page)).to_have_text("网络不佳，已排队，恢复网络后会自动提交（1 项）")
    expect(page.locator("button[type=submit]")).to_be_enabled()
    shot(page, "outbox-02-queued")
    wait_until(page, lambda: len(endpoint.posts) >= 3, timeout=20)  # retried after ~2 s and ~4 s: next in ~8 s
    assert endpoint.successes() == 0

    endpoint.mode = "ok"
    page.context.set_offline(False)  # the `online` event sends it at once, not after the backoff
    page.wait_for_url(f"**{DONE}", timeout=4000)
    assert endpoint.successes() == 1
    assert errors == []


def test_server_errors_are_retried_with_one_uuid_and_the_next_page_sends_the_queue(harness, server, browser):
    page, endpoint, errors = harness
    endpoint.mode = "503"
    page.fill("#title", "食堂燃气管道有异味")
    page.click("button[type=submit]")
    expect(status(page)).to_contain_text("已排队")
    wait_until(page, lambda: len(endpoint.posts) >= 2, timeout=15)  # retried after ~2 s
    endpoint.mode = "abort"
    wait_until(page, lambda: len(endpoint.posts) >= 3, timeout=20)  # then ~4 s: a dropped connection
    expect(status(page)).to_contain_text("已排队")

    # The person leaves; the server recovers; any page with the script sends the queue.
    endpoint.mode = "503"
    context = page.context
    page.close()
    endpoint.mode = "ok"
    other = context.new_page()
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    other.goto(f"{server}{OTHER}")
    wait_until(other, lambda: endpoint.successes() == 1)
    expect(other.locator("[data-outbox-toast]")).to_contain_text("已提交 已收到")
    # The page stays; what the form's page would have opened (a receipt) is one tap away.
    expect(other.locator("[data-outbox-toast]").get_by_role("link", name="查看")).to_have_attribute("href", DONE)
    other.wait_for_timeout(3000)  # no further sends
    uuids = {post["fields"]["client_uuid"] for post in endpoint.posts}
    assert len(uuids) == 1 and endpoint.successes() == 1
    assert [p["mode"] for p in endpoint.posts].count("ok") == 1

    other.goto(f"{server}{HARNESS}")
    expect(other.locator("#title")).to_have_value("")  # its draft went with it
    assert errors == []


def test_a_queued_entry_is_sent_after_a_reload(harness):
    page, endpoint, errors = harness
    endpoint.mode = "503"
    page.fill("#title", "消防通道被占用")
    page.click("button[type=submit]")
    expect(status(page)).to_contain_text("已排队")
    endpoint.mode = "ok"
    page.reload()
    page.wait_for_url(f"**{DONE}", timeout=20000)
    assert endpoint.successes() == 1
    assert len({post["fields"]["client_uuid"] for post in endpoint.posts}) == 1


def test_rejected_submission_shows_errors_by_the_fields_and_keeps_the_draft(harness, shot):
    page, endpoint, errors = harness
    endpoint.mode = "400"
    page.fill("#title", "灯")
    page.click("button[type=submit]")
    error = page.locator(".outbox-error")
    expect(error).to_have_text("标题至少 4 个字")
    expect(page.locator("[data-outbox-message]")).to_have_text("请修改后再提交 说明太短")
    expect(page.locator("#title")).to_be_focused()
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#title")).to_have_attribute("aria-describedby", re.compile("outbox-err-"))
    expect(page.locator("button[type=submit]")).to_be_enabled()
    assert no_horizontal_scroll(page)
    shot(page, "outbox-03-errors")
    page.wait_for_timeout(3000)
    assert len(endpoint.posts) == 1  # not retried

    page.reload()  # the draft and its errors are still there
    expect(page.locator("#title")).to_have_value("灯")
    expect(page.locator(".outbox-error")).to_have_text("标题至少 4 个字")

    endpoint.mode = "ok"
    page.fill("#title", "走廊灯管闪烁")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{DONE}")
    assert endpoint.successes() == 1
    assert endpoint.posts[-1]["fields"]["title"] == "走廊灯管闪烁"


def test_expired_session_keeps_the_entry_and_asks_to_sign_in(harness, server):
    page, endpoint, errors = harness
    endpoint.mode = "csrf"
    page.fill("#title", "配电箱未上锁")
    page.click("button[type=submit]")
    expect(status(page)).to_contain_text("登录已过期")
    link = status(page).get_by_role("link", name="重新登录")
    expect(link).to_have_attribute("href", "/accounts/login/?next=" + HARNESS.replace("/", "%2F"))
    page.wait_for_timeout(3000)
    assert len(endpoint.posts) == 1  # not hammered while signed out

    endpoint.mode = "ok"  # signed in again: the next page load sends it
    page.goto(f"{server}{OTHER}")
    wait_until(page, lambda: endpoint.successes() == 1)
    assert len({post["fields"]["client_uuid"] for post in endpoint.posts}) == 1


def test_double_tap_sends_once(harness):
    page, endpoint, errors = harness
    endpoint.mode = "hold"
    page.fill("#title", "电梯异响")
    button = page.locator("button[type=submit]")
    button.evaluate("b => { b.click(); b.click(); }")  # two taps in the same instant
    wait_until(page, lambda: len(endpoint.held) == 1)
    expect(button).to_be_disabled()
    expect(status(page)).to_have_text("正在上传（1/1）")
    button.click(force=True)  # a third tap while it is sending
    page.wait_for_timeout(500)
    assert len(endpoint.posts) == 1
    endpoint.mode = "ok"
    endpoint.accept(endpoint.held[0], endpoint.posts[0]["fields"], endpoint.posts[0]["files"])
    page.wait_for_url(f"**{DONE}")
    assert len(endpoint.posts) == 1 and endpoint.successes() == 1


def test_a_queued_entry_is_never_sent_under_someone_elses_session(harness, server):
    page, endpoint, errors = harness
    endpoint.mode = "503"
    page.fill("#title", "更衣室插线板过热")
    page.click("button[type=submit]")
    expect(status(page)).to_contain_text("已排队")
    endpoint.mode = "ok"
    sent = len(endpoint.posts)
    for path in (SOMEONE_ELSE, SIGNED_OUT):  # another person on the same phone; then signed out
        page.goto(f"{server}{path}")
        page.wait_for_timeout(2500)
        assert len(endpoint.posts) == sent
    page.goto(f"{server}{OTHER}")  # its owner again
    wait_until(page, lambda: endpoint.successes() == 1)
    assert errors == []


SLOW_STORAGE = """(() => {
  // The phone's storage answers late (a cold start on a loaded phone): IndexedDB's open succeeds after 1.5 s.
  const open = IDBFactory.prototype.open;
  const onsuccess = Object.getOwnPropertyDescriptor(IDBRequest.prototype, "onsuccess");
  IDBFactory.prototype.open = function (...args) {
    const req = open.apply(this, args);
    Object.defineProperty(req, "onsuccess", {
      get() { return onsuccess.get.call(req); },
      set(fn) { onsuccess.set.call(req, (ev) => setTimeout(() => fn.call(req, ev), 1500)); },
    });
    return req;
  };
})();"""


def test_what_is_typed_before_the_stored_draft_is_read_is_saved(harness):
    """Typing while the page still reads its stored draft: the typing wins and is saved, with no further input."""
    page, endpoint, errors = harness
    page.add_init_script(SLOW_STORAGE)
    page.reload()
    page.fill("#title", "护士站插线板过热")  # before the draft is read
    page.check("input[name=urgent]")
    expect(status(page)).to_have_text("已保存草稿", timeout=10000)
    page.reload()
    expect(page.locator("#title")).to_have_value("护士站插线板过热", timeout=10000)
    expect(page.locator("input[name=urgent]")).to_be_checked()
    assert errors == []


def test_a_photo_picked_before_the_stored_draft_is_read_keeps_the_draft_and_its_photos(harness, tmp_path):
    page, endpoint, errors = harness
    first, second = tmp_path / "IMG_0001.jpg", tmp_path / "IMG_0002.jpg"
    first.write_bytes(camera_jpeg(1200, 900))
    second.write_bytes(camera_jpeg(900, 1200))
    page.fill("#title", "库房灭火器过期")
    page.set_input_files("#photos", [str(first)])
    expect(page.locator(".outbox-photos img")).to_have_count(1, timeout=20000)
    expect(status(page)).to_have_text("已保存草稿")
    page.add_init_script(SLOW_STORAGE)
    page.reload()
    page.set_input_files("#photos", [str(second)])  # before the draft is read
    expect(page.locator(".outbox-photos img")).to_have_count(2, timeout=20000)
    expect(page.locator("#title")).to_have_value("库房灭火器过期")
    page.wait_for_timeout(1500)  # the save after the read
    page.reload()
    expect(page.locator(".outbox-photos img")).to_have_count(2, timeout=20000)
    expect(page.locator("#title")).to_have_value("库房灭火器过期")
    assert errors == []


def test_one_field_changed_before_the_stored_draft_is_read_keeps_the_others(harness):
    """Found by an outside review: ticking one box while the draft was read restored none of the draft's fields, and
    the save that followed wrote over them."""
    page, endpoint, errors = harness
    page.fill("#title", "配电间门口堆放杂物")
    page.fill("#note", "纸箱挡住了灭火器")
    expect(status(page)).to_have_text("已保存草稿")
    page.add_init_script(SLOW_STORAGE)
    page.reload()
    page.check("input[name=urgent]")  # before the draft is read
    expect(page.locator("#note")).to_have_value("纸箱挡住了灭火器", timeout=10000)
    expect(status(page)).to_have_text("已保存草稿", timeout=10000)
    page.reload()
    expect(page.locator("#title")).to_have_value("配电间门口堆放杂物", timeout=10000)
    expect(page.locator("#note")).to_have_value("纸箱挡住了灭火器")
    expect(page.locator("input[name=urgent]")).to_be_checked()
    assert errors == []


def test_a_submit_before_the_stored_draft_is_read_is_sent_once_with_its_id(harness, server):
    """A tap on 提交 while the page still reads its draft: sent by the outbox once it is ready (not as a plain post
    without its client_uuid), and no draft of it is left behind."""
    page, endpoint, errors = harness
    page.add_init_script(SLOW_STORAGE)
    page.reload()
    page.fill("#title", "消防通道被电动车占用")
    page.click("button[type=submit]")  # before the draft is read
    page.wait_for_url(f"**{DONE}", timeout=20000)
    assert len(endpoint.posts) == 1 and endpoint.posts[0]["fields"]["client_uuid"]
    assert endpoint.posts[0]["fields"]["title"] == "消防通道被电动车占用"
    page.goto(f"{server}{HARNESS}")
    page.wait_for_timeout(2500)  # the draft is read
    expect(page.locator("#title")).to_have_value("")
    assert errors == []


def test_a_new_report_typed_before_the_draft_is_read_does_not_take_over_a_queued_one(harness):
    """Report A waits in the queue (network down); the page is opened again and report B typed while the draft is
    read: B gets an id of its own, and both arrive once."""
    page, endpoint, errors = harness
    endpoint.mode = "abort"
    page.fill("#title", "报告一：楼梯间应急灯不亮")
    page.click("button[type=submit]")
    expect(status(page)).to_contain_text("已排队")
    page.add_init_script(SLOW_STORAGE)
    page.reload()
    page.fill("#title", "报告二：食堂燃气有异味")  # before the draft is read
    expect(status(page)).to_have_text("已保存草稿", timeout=10000)
    endpoint.mode = "ok"
    page.click("button[type=submit]")
    page.wait_for_url(f"**{DONE}", timeout=20000)
    wait_until(page, lambda: endpoint.successes() == 2, timeout=20)
    titles = sorted(row["fields"]["title"] for row in endpoint.rows.values())
    assert titles == ["报告一：楼梯间应急灯不亮", "报告二：食堂燃气有异味"]
    assert errors == []
