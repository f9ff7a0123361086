"""The campaign tasks' part of the access-matrix world (tests/reliability/access_matrix.build_world): a task for
everyone with a checklist, photos and a file, and on each side the staff member's submission (a photo and a PDF)."""

from __future__ import annotations

from campaign.tasks import services
from tests.campaign.factories import all_yes, jpeg_with_exif, make_campaign, make_task, pdf_file


def add_campaign_tasks(world) -> None:
    world.campaign = make_campaign(name="矩阵活动")
    world.campaign_task = make_task(world.campaign, title="矩阵任务", file_label="附件")
    for side in (world.A, world.B):
        submission = services.submission_submit(
            task=world.campaign_task,
            user=side.staff,
            answers=all_yes(world.campaign_task),
            text=f"矩阵提交{side.side}",
            photos=[jpeg_with_exif()],
            file=pdf_file(),
        ).submission
        side.task_submission = submission
        side.task_photo = submission.photos.get()
        side.task_file = submission.files.get()
