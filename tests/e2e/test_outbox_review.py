"""Adversarial review of the phone outbox (elearn/static/elearn/outbox.js) against the real campaign-task and
hazard-report forms on a 360x740 phone: account switches with a queued submission, expired sessions, errors after
the server stored the row, two tabs, odd photos, refused forms. Screenshots under /tmp/review-outbox/."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from campaign.tasks.models import TaskSubmission
from campaign.tasks.services import item_field
from hazards.models import HazardReport
from tests.campaign.factories import jpeg_bytes_with_exif, make_task
from tests.e2e.conftest import screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/review-outbox")


def snap(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SHOTS / f"{name}.png", full_page=True)


def photo(name="IMG_1.jpg", size=(2400, 1800), color=(200, 60, 40)) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes_with_exif(size=size, color=color)}


def fill_task(page, photos=1):
    items = page.locator("fieldset.check-item")
    for i in range(items.count()):
        items.nth(i).locator("label.answer-yes").click()
    if photos:
        page.set_input_files("input[name=photos]", [photo(f"IMG_{n}.jpg") for n in range(photos)])
        expect(page.locator(".outbox-photos img")).to_have_count(photos)


def outbox_count(page) -> int:
    return page.evaluate(
        """() => new Promise((resolve) => {
          const r = indexedDB.open("elearn-outbox");
          r.onsuccess = () => { const tx = r.result.transaction("outbox", "readonly");
            const q = tx.objectStore("outbox").count(); q.onsuccess = () => resolve(q.result); };
        })"""
    )


def logout(page, server):
    page.goto(f"{server}/me/")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state("networkidle")


def test_a_tab_left_open_never_sends_the_queue_under_the_next_person(server, phone, login, inst_a):
    """Shared ward phone: A queues a task on a weak network and leaves the tab; B signs in in another tab. When the
    network comes back, A's old tab (its page still says A) must not send A's evidence with B's session."""
    task = make_task(items=("灭火器在有效期内",))
    a = UserFactory(institution=inst_a, real_name="甲护士")
    b = UserFactory(institution=inst_a, real_name="乙护士")
    login(phone, a, f"/campaign/tasks/{task.pk}/")
    fill_task(phone)

    def drop(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    phone.context.route(re.compile(r".*/campaign/tasks/\d+/$"), drop)
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("[data-outbox-status]")).to_contain_text("已排队")
    assert outbox_count(phone) == 1

    other = phone.context.new_page()
    logout(other, server)
    login(other, b, "/me/")
    phone.context.unroute(re.compile(r".*/campaign/tasks/\d+/$"))
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")
    phone.wait_for_timeout(3000)
    snap(phone, "switch-old-tab")
    assert not TaskSubmission.objects.filter(user=b).exists()
    expect(phone.locator("[data-outbox-status] a", has_text="重新登录")).to_be_visible()
    assert outbox_count(phone) == 1  # kept on the phone for A's next sign-in
    other.goto(f"{server}/campaign/tasks/")  # B's own pages never send it either
    other.wait_for_timeout(1500)
    assert not TaskSubmission.objects.exists(), list(TaskSubmission.objects.values_list("user__real_name", flat=True))


TASK_URL = re.compile(r".*/campaign/tasks/\d+/$")


def test_an_error_after_the_server_stored_the_row_is_retried_into_the_same_row(server, phone, login, staff_a):
    task = make_task(items=("灭火器在有效期内",))
    login(phone, staff_a, f"/campaign/tasks/{task.pk}/")
    fill_task(phone, photos=2)
    answers = []

    def stored_then_lost(route):
        if route.request.method != "POST":
            return route.continue_()
        response = route.fetch()  # the server stores the submission ...
        answers.append(response.status)
        if len(answers) == 1:
            route.fulfill(status=502, body="Bad Gateway", content_type="text/html")  # ... the proxy loses the answer
        elif len(answers) == 2:
            route.abort("timedout")
        else:
            route.fulfill(response=response)

    phone.context.route(TASK_URL, stored_then_lost)
    phone.get_by_role("button", name="提交").click()
    expect(phone).to_have_url(re.compile(r".*/campaign/tasks/$"), timeout=30000)
    assert answers[0] == 200 and len(answers) == 3
    sub = TaskSubmission.objects.get()
    assert sub.photos.count() == 2


def test_an_expired_session_keeps_the_entry_and_sends_it_after_signing_in(server, phone, login, staff_a):
    task = make_task(items=("灭火器在有效期内",))
    login(phone, staff_a, f"/campaign/tasks/{task.pk}/")
    fill_task(phone)
    phone.context.clear_cookies(name="sessionid")
    phone.get_by_role("button", name="提交").click()
    link = phone.locator("[data-outbox-status] a", has_text="重新登录")
    expect(link).to_be_visible()
    snap(phone, "session-expired")
    assert outbox_count(phone) == 1 and not TaskSubmission.objects.exists()
    link.click()
    phone.fill("#id_username", staff_a.employee_no)
    from tests.factories import PASSWORD

    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    expect(phone).to_have_url(re.compile(r".*/campaign/tasks/$"), timeout=30000)
    assert TaskSubmission.objects.get().user == staff_a


def test_two_tabs_sending_the_queue_at_once_make_one_row(server, phone, login, staff_a):
    task = make_task(items=("灭火器在有效期内",))
    login(phone, staff_a, f"/campaign/tasks/{task.pk}/")
    second = phone.context.new_page()
    second.goto(f"{server}/campaign/tasks/")
    fill_task(phone)
    phone.context.set_offline(True)
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("[data-outbox-status]")).to_contain_text("已排队")
    phone.context.set_offline(False)  # both tabs hear `online` and send the queue at the same moment
    phone.evaluate("() => window.elearnOutbox.flush(true)")
    second.evaluate("() => window.elearnOutbox.flush(true)")
    second.wait_for_timeout(1500)
    assert TaskSubmission.objects.count() == 1
    assert outbox_count(second) == 0


def test_the_form_tab_hears_that_another_tab_sent_its_entry(server, phone, login, staff_a):
    """The queue went from another tab (the lock let that one go first): the form's own tab must not keep saying
    已排队 with the entry gone, nor leave the form to be handed in again."""
    task = make_task(items=("灭火器在有效期内",))
    login(phone, staff_a, f"/campaign/tasks/{task.pk}/")
    second = phone.context.new_page()
    second.goto(f"{server}/me/")
    fill_task(phone)

    def drop(route):
        return route.abort("internetdisconnected") if route.request.method == "POST" else route.continue_()

    phone.context.route(TASK_URL, drop)
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("[data-outbox-status]")).to_contain_text("已排队")
    phone.context.unroute(TASK_URL)
    second.evaluate("() => window.elearnOutbox.flush(true)")
    expect(second.locator("[data-outbox-toast]")).to_contain_text("已提交")
    phone.wait_for_timeout(1500)
    snap(phone, "two-tabs-form-tab")
    assert TaskSubmission.objects.count() == 1
    expect(phone).to_have_url(re.compile(r".*/campaign/tasks/$"), timeout=10000)


def test_offline_submit_then_reload_then_online_sends_once_with_its_photos(server, phone, login, staff_a):
    task = make_task(items=("灭火器在有效期内",))
    login(phone, staff_a, f"/campaign/tasks/{task.pk}/")
    fill_task(phone, photos=3)
    phone.context.set_offline(True)
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("[data-outbox-status]")).to_contain_text("已排队")
    snap(phone, "offline-queued")
    try:
        phone.reload()
    except Exception:
        pass
    phone.context.set_offline(False)
    phone.goto(f"{server}/me/")
    toast = phone.locator("[data-outbox-toast]")
    expect(toast).to_contain_text("已提交", timeout=30000)
    assert toast.inner_text().count("已提交") == 1, toast.inner_text()  # not "已提交 已提交“…”"
    snap(phone, "sent-from-another-page")
    sub = TaskSubmission.objects.get()
    assert sub.photos.count() == 3


def png_with_alpha(size=(800, 600)) -> bytes:
    from PIL import Image

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    for x in range(0, size[0] // 2):
        for y in range(size[1]):
            image.putpixel((x, y), (20, 120, 200, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_odd_photos_big_alpha_heic_and_empty(server, phone, login, staff_a):
    task = make_task(items=("灭火器在有效期内",), photos_max=5)
    login(phone, staff_a, f"/campaign/tasks/{task.pk}/")
    items = phone.locator("fieldset.check-item")
    items.nth(0).locator("label.answer-yes").click()
    phone.set_input_files(
        "input[name=photos]",
        [
            photo("IMG_4032.jpg", size=(4032, 3024)),
            {"name": "alpha.png", "mimeType": "image/png", "buffer": png_with_alpha()},
            {"name": "IMG_0002.HEIC", "mimeType": "image/heic", "buffer": b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200},
            {"name": "empty.jpg", "mimeType": "image/jpeg", "buffer": b""},
        ],
    )
    expect(phone.locator(".outbox-photos img")).to_have_count(2, timeout=20000)
    status = phone.locator("[data-outbox-status]")
    expect(status).to_contain_text("IMG_0002.HEIC")
    expect(status).to_contain_text("empty.jpg")
    snap(phone, "odd-photos")
    bodies = []
    phone.context.route(
        TASK_URL,
        lambda r: (
            (bodies.append(r.request.post_data_buffer), r.continue_()) if r.request.method == "POST" else r.continue_()
        ),
    )
    phone.get_by_role("button", name="提交").click()
    expect(phone).to_have_url(re.compile(r".*/campaign/tasks/$"), timeout=30000)
    assert b"ElearnTestCam" not in bodies[0] and b"Exif\x00\x00" not in bodies[0]
    sizes = sorted((p.width, p.height) for p in TaskSubmission.objects.get().photos.all())
    assert sizes == [(800, 600), (1600, 1200)]


def test_a_refused_form_shows_why_and_keeps_the_draft(server, phone, login, staff_a):
    task = make_task(items=("灭火器在有效期内", "通道畅通"), text_required=True, text_label="整改说明")
    login(phone, staff_a, f"/campaign/tasks/{task.pk}/")
    phone.locator("fieldset.check-item").nth(0).locator("label.answer-yes").click()
    phone.set_input_files("input[name=photos]", [photo()])
    expect(phone.locator(".outbox-photos img")).to_have_count(1)
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator(".outbox-error").first).to_be_visible()
    snap(phone, "refused-400")
    phone.reload()
    expect(phone.locator(".outbox-error").first).to_be_visible()
    expect(phone.locator(".outbox-photos img")).to_have_count(1)
    assert phone.locator("fieldset.check-item").nth(0).locator("input[value=yes]").is_checked()
    assert not TaskSubmission.objects.exists()


def test_twelve_photos_at_once_on_the_hazard_form(server, phone, login, staff_a):
    login(phone, staff_a, "/hazards/new/")
    phone.set_input_files("input[name=photos]", [photo(f"IMG_{n}.jpg", size=(1200, 900)) for n in range(12)])
    expect(phone.locator("[data-outbox-status]")).to_contain_text("最多 6 张照片", timeout=20000)
    expect(phone.locator(".outbox-photos img")).to_have_count(6)
    snap(phone, "hazard-12-photos")
    phone.check("input[name=category][value=fire]")
    phone.fill("textarea[name=description]", "楼梯间堆放杂物")
    phone.check("input[name=judgement][value=general]")
    phone.get_by_role("button", name="提交").click()
    expect(phone).to_have_url(re.compile(r".*/hazards/\d+/$"), timeout=30000)
    assert HazardReport.objects.get().photos.count() == 6


@pytest.mark.parametrize("form", ["task", "hazard"])
def test_the_server_refuses_a_queued_post_named_for_another_person(form, client, staff_a, inst_a):
    """Belt and braces for the old-tab case: the outbox names the queuing person (X-Outbox-User); a session of
    someone else answers 401 (the phone keeps the entry and asks to sign in), and stores nothing."""
    other = UserFactory(institution=inst_a)
    client.force_login(staff_a)
    if form == "task":
        task = make_task(items=("灭火器在有效期内",), photos_min=0)
        url = f"/campaign/tasks/{task.pk}/"
        data = {item_field(task.items.get().key): "yes", "client_uuid": "6f1c2f0e-8a53-4a0e-9c55-1d2b1d9d3a11"}
        rows = TaskSubmission.objects
    else:
        url = "/hazards/new/"
        data = {
            "category": "fire",
            "institution": inst_a.pk,
            "description": "楼梯间堆放杂物",
            "judgement": "general",
            "client_uuid": "6f1c2f0e-8a53-4a0e-9c55-1d2b1d9d3a12",
        }
        rows = HazardReport.objects
    answer = client.post(url, data, headers={"Accept": "application/json", "X-Outbox-User": str(other.pk)})
    assert answer.status_code == 401 and answer.json() == {"ok": False, "error": "other_user"}
    assert not rows.exists()
    answer = client.post(url, data, headers={"Accept": "application/json", "X-Outbox-User": str(staff_a.pk)})
    assert answer.status_code == 200 and answer.json()["ok"] is True, answer.content
    assert rows.count() == 1
