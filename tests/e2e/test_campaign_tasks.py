"""The five 五个一 campaign tasks end to end: a member of staff completes the four person tasks on a 360x740 phone
(checklists, real camera JPEGs with EXIF/GPS made with Pillow, text), the institution's officer hands in the
institution task (photo, attendance text, a PDF), the officer reviews on the desktop (returns one with a comment,
bulk approves the rest, approves the resubmission), the district admin approves the institution task; the phone
shows every state from the server. The form goes through elearn/static/elearn/outbox.js (photos downscaled on the
phone); tests/campaign/test_views.py checks the same form without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from campaign.tasks.demo import seed_tasks
from campaign.tasks.models import TaskSubmission
from tests.campaign.factories import jpeg_bytes_with_exif
from tests.e2e.conftest import no_horizontal_scroll
from tests.factories import AdminFactory, InstitutionFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.e2e

BOOK, HOME, EBIKE, MAP, TRAINING = (
    "读一本安全/应急科普书",
    "家庭隐患排查",
    "电动自行车充电检查",
    "绘制逃生路线图",
    "特殊岗位安全技能培训",
)


def camera_photo(name: str, color=(200, 60, 40)) -> dict:
    return {
        "name": name,
        "mimeType": "image/jpeg",
        "buffer": jpeg_bytes_with_exif(size=(2400, 1800), color=color),
    }


def pdf() -> dict:
    return {"name": "签到表.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"}


def open_task(page, server, title):
    page.goto(f"{server}/campaign/tasks/")
    page.locator("a.task-row", has_text=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def answer_all(page, value="yes", na_indexes=()):
    items = page.locator("fieldset.check-item")
    for i in range(items.count()):
        choice = "na" if i in na_indexes else value
        items.nth(i).locator(f"label.answer-{choice}").click()


def submit_and_expect_list(page, server, title, state="submitted"):
    page.get_by_role("button", name=re.compile("提交")).click()
    expect(page).to_have_url(re.compile(r".*/campaign/tasks/$"), timeout=30000)
    row = page.locator("a.task-row", has_text=title)
    expect(row.locator("[data-state]")).to_have_attribute("data-state", state)


def test_staff_completes_the_five_tasks_on_a_phone_and_the_officer_reviews(
    server, phone, desktop, browser, login, shot
):
    seed_tasks(None, {}, {})
    inst = InstitutionFactory(name="城东社区卫生服务中心")
    staff = UserFactory(institution=inst, real_name="王护士")
    officer = OfficerFactory(institution=inst, real_name="李安全员")
    admin = AdminFactory(institution=None, real_name="区管理员")

    # --- staff on the phone ---------------------------------------------------------------------------------------
    login(phone, staff, "/me/")
    phone.get_by_role("link", name=re.compile("活动任务（五个一）")).click()
    expect(phone.locator("a.task-row")).to_have_count(4)  # the institution task is the officer's
    expect(phone.locator("a.task-row [data-state='not_started']")).to_have_count(4)
    assert no_horizontal_scroll(phone)
    shot(phone, "campaign-tasks-phone-list")

    open_task(phone, server, BOOK)
    phone.fill("#text", "《应急避险自救手册》：学会了火灾时低姿前进、用湿毛巾捂住口鼻，家里要备灭火毯。" * 2)
    submit_and_expect_list(phone, server, BOOK)

    open_task(phone, server, HOME)
    expect(phone.locator("fieldset.check-item")).to_have_count(9)
    answer_all(phone)
    phone.locator("fieldset.check-item").nth(1).locator("input[type=text]").fill("客厅插线板老化，已更换")
    phone.set_input_files("#photos", [camera_photo("gas.jpg"), camera_photo("socket.jpg", (40, 90, 200))])
    assert no_horizontal_scroll(phone)
    shot(phone, "campaign-tasks-phone-home-check")
    submit_and_expect_list(phone, server, HOME)

    open_task(phone, server, EBIKE)
    answer_all(phone, na_indexes=(4,))
    phone.set_input_files("#photos", [camera_photo("ebike.jpg")])
    submit_and_expect_list(phone, server, EBIKE)

    open_task(phone, server, MAP)
    answer_all(phone)
    phone.set_input_files("#photos", [camera_photo("map.jpg", (250, 250, 250))])
    submit_and_expect_list(phone, server, MAP)
    shot(phone, "campaign-tasks-phone-submitted")

    stored = TaskSubmission.objects.filter(user=staff)
    assert stored.count() == 4
    for submission in stored:
        for photo in submission.photos.all():
            with photo.image.open("rb") as handle:
                data = handle.read()
            assert b"ElearnTestCam" not in data and b"Exif" not in data
            assert max(photo.width, photo.height) <= 1600  # downscaled on the phone before upload

    # --- the officer hands in the institution task on their phone ------------------------------------------------
    officer_phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    op = officer_phone.new_page()
    login(op, officer, "/campaign/tasks/")
    open_task(op, server, TRAINING)
    op.set_input_files("#photos", [camera_photo("training.jpg")])
    op.fill("#text", "12月5日下午，电焊工、配电工共 8 人参加动火作业与触电急救培训。")
    op.set_input_files("#file", [pdf()])
    submit_and_expect_list(op, server, TRAINING)
    officer_phone.close()

    # --- the officer reviews on the desktop ---------------------------------------------------------------------
    login(desktop, officer, "/admin/campaign-tasks/review/")
    desktop.goto(f"{server}/admin/campaign-tasks/review/")
    rows = desktop.locator("table[data-submissions] tbody tr[data-submission]")
    expect(rows).to_have_count(5)
    shot(desktop, "campaign-tasks-review-queue")
    desktop.locator("tr[data-submission]", has_text=HOME).get_by_role("link", name="查看").click()
    photos = desktop.locator("[data-submission-detail] img")
    expect(photos).to_have_count(2)
    src = photos.first.get_attribute("src")
    served = desktop.request.get(f"{server}{src}")
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in served.body()
    assert staff.mobile not in desktop.content()
    shot(desktop, "campaign-tasks-review-detail")
    desktop.fill("#comment", "燃气阀门照片看不清，请重新拍摄。")
    desktop.get_by_role("button", name="退回").click()
    expect(desktop).to_have_url(re.compile(r".*/admin/campaign-tasks/review/$"))

    # Everything still waiting, except the officer's own institution task (not theirs to approve): bulk approve.
    boxes = desktop.locator("input[name=ids]")
    expect(boxes).to_have_count(3)
    for i in range(3):
        boxes.nth(i).check()
    desktop.get_by_role("button", name="批量通过所选").click()
    expect(desktop.locator(".messages, .w-message, [role=status]").first).to_contain_text("3")

    desktop.goto(f"{server}/admin/campaign-tasks/missing/")
    expect(desktop.locator("table[data-not-submitted]")).to_be_visible()
    assert staff.mobile not in desktop.content()

    # --- the staff member sees the return on the phone and hands it in again --------------------------------------
    phone.goto(f"{server}/campaign/tasks/")
    expect(phone.locator("a.task-row", has_text=HOME).locator("[data-state]")).to_have_attribute(
        "data-state", "returned"
    )
    expect(phone.locator("a.task-row [data-state='approved']")).to_have_count(3)
    open_task(phone, server, HOME)
    expect(phone.locator("[data-return-comment]")).to_contain_text("燃气阀门照片看不清")
    shot(phone, "campaign-tasks-phone-returned")
    # New photos replace the earlier ones: the task asks for at least two.
    phone.set_input_files("#photos", [camera_photo("gas-again.jpg", (10, 160, 60)), camera_photo("socket-again.jpg")])
    submit_and_expect_list(phone, server, HOME)

    # --- the officer approves the resubmission; the district admin approves the institution task --------------------
    desktop.goto(f"{server}/admin/campaign-tasks/review/?state=submitted")
    desktop.locator("tr[data-submission]", has_text=HOME).get_by_role("link", name="查看").click()
    desktop.get_by_role("button", name="通过").click()
    expect(desktop).to_have_url(re.compile(r".*/admin/campaign-tasks/review/$"))

    admin_context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    ad = admin_context.new_page()
    login(ad, admin, "/admin/campaign-tasks/review/")
    ad.goto(f"{server}/admin/campaign-tasks/review/?state=submitted")
    shot(ad, "campaign-tasks-admin-queue")
    ad.locator("tr[data-submission]", has_text=TRAINING).get_by_role("link", name="查看").click()
    expect(ad.get_by_role("link", name="签到表.pdf")).to_be_visible()
    ad.get_by_role("button", name="通过").click()
    expect(ad).to_have_url(re.compile(r".*/admin/campaign-tasks/review/$"))
    admin_context.close()

    phone.goto(f"{server}/campaign/tasks/")
    expect(phone.locator("a.task-row [data-state='approved']")).to_have_count(4)
    shot(phone, "campaign-tasks-phone-all-approved")
    states = set(TaskSubmission.objects.values_list("state", flat=True))
    assert states == {"approved"} and TaskSubmission.objects.count() == 5
