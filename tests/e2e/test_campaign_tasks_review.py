"""Review walk of the campaign tasks with a nurse's real kinds of photo (a portrait JPEG the camera stored sideways
with an EXIF rotation, a PNG screenshot, a WebP, an iPhone HEIC), a long 读后感 with emoji and paragraphs, a return
and the officer's review page; screenshots under test-artifacts/ (campaign-review-*)."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from campaign.tasks.demo import seed_tasks
from campaign.tasks.models import TaskSubmission
from tests.e2e.conftest import no_horizontal_scroll
from tests.factories import InstitutionFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.e2e


def _image(fmt: str, size=(1200, 1600), orientation: int | None = None) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, fmt, exif=exif.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def test_real_photos_long_text_and_a_return(server, phone, desktop, login, shot):
    seed_tasks(None, {}, {})
    inst = InstitutionFactory(name="城西社区卫生服务中心")
    nurse = UserFactory(institution=inst, real_name="赵护士")
    officer = OfficerFactory(institution=inst, real_name="钱安全员")

    login(phone, nurse, "/campaign/tasks/")
    shot(phone, "campaign-review-phone-list")
    phone.locator("a.task-row", has_text="家庭隐患排查").click()
    items = phone.locator("fieldset.check-item")
    for i in range(items.count()):
        items.nth(i).locator("label.answer-yes").click()
    phone.locator("input[name=photos]").set_input_files(
        [
            {"name": "IMG_portrait.jpg", "mimeType": "image/jpeg", "buffer": _image("JPEG", (1600, 1200), 6)},
            {"name": "Screenshot.png", "mimeType": "image/png", "buffer": _image("PNG", (720, 1600))},
            {"name": "wechat.webp", "mimeType": "image/webp", "buffer": _image("WEBP", (800, 600))},
        ]
    )
    expect(phone.locator("ul.outbox-photos li")).to_have_count(3, timeout=20000)
    assert no_horizontal_scroll(phone)
    shot(phone, "campaign-review-phone-photos")
    phone.get_by_role("button", name=re.compile("提交")).click()
    expect(phone).to_have_url(re.compile(r".*/campaign/tasks/$"), timeout=30000)
    sub = TaskSubmission.objects.get(user=nurse, task__title="家庭隐患排查")
    portrait = sub.photos.order_by("pk").first()
    assert portrait.height > portrait.width  # turned upright on the phone (EXIF orientation 6)

    # the 读后感: emoji and paragraphs survive
    phone.locator("a.task-row", has_text="读一本").click()
    text = "\n".join(["读了《应急救护知识》😀，学到了心肺复苏的要点。"] * 30)
    phone.locator("textarea[name=text]").fill(text)
    items = phone.locator("fieldset.check-item")
    for i in range(items.count()):
        items.nth(i).locator("label.answer-yes").click()
    expect(phone.locator("[data-outbox-status]")).to_contain_text("已保存草稿")
    phone.reload()  # the draft survives a reload
    expect(phone.locator("textarea[name=text]")).to_have_value(text)
    shot(phone, "campaign-review-phone-book-draft")
    photos = phone.locator("input[name=photos]")
    if photos.count():
        photos.set_input_files([{"name": "book.jpg", "mimeType": "image/jpeg", "buffer": _image("JPEG", (800, 600))}])
        expect(phone.locator("ul.outbox-photos li")).to_have_count(1, timeout=20000)
    phone.get_by_role("button", name=re.compile("提交")).click()
    expect(phone).to_have_url(re.compile(r".*/campaign/tasks/$"), timeout=30000)
    book = TaskSubmission.objects.get(user=nurse, task__title__startswith="读一本")
    assert "😀" in book.text and book.text.count("\n") == 29

    # the officer returns the home check; the review page speaks Chinese
    login(desktop, officer, f"/admin/campaign-tasks/review/{sub.pk}/")
    shot(desktop, "campaign-review-desktop-detail")
    desktop.locator("textarea[name=comment]").fill("厨房燃气照片看不清，请重拍。")
    desktop.get_by_role("button", name="退回").click()
    desktop.goto(f"{server}/admin/campaign-tasks/review/{sub.pk}/")
    history = desktop.locator("[data-history]")
    expect(history).to_contain_text("退回")
    expect(history).not_to_contain_text("returned")
    shot(desktop, "campaign-review-desktop-returned")
    desktop.goto(f"{server}/admin/campaign-tasks/review/")
    shot(desktop, "campaign-review-desktop-queue")
    desktop.goto(f"{server}/admin/campaign-tasks/missing/")
    shot(desktop, "campaign-review-desktop-missing")

    phone.goto(f"{server}/campaign/tasks/")
    expect(phone.locator("a.task-row", has_text="家庭隐患排查").locator("[data-state]")).to_have_attribute(
        "data-state", "returned"
    )
    phone.locator("a.task-row", has_text="家庭隐患排查").click()
    expect(phone.locator("[data-return-comment]")).to_contain_text("请重拍")
    assert no_horizontal_scroll(phone)
    thumb = phone.locator(".thumbs img").first  # the photos handed in, through the permission-checked view
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_have_js_property("naturalWidth", 1200)
    shot(phone, "campaign-review-phone-returned")

    # an iPhone HEIC picked in a browser that cannot decode it: said, not sent
    phone.locator("input[name=photos]").set_input_files(
        [{"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64}]
    )
    expect(phone.locator("[data-outbox-status]")).to_contain_text("IMG_0001.HEIC")
    shot(phone, "campaign-review-phone-heic")
