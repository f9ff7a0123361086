"""seed_demo step (settings.ELEARN_DEMO_SEEDERS): the current campaign (the home page's dates when set) and its five
应急科普“五个一” tasks with their checklists. Idempotent: tasks are found by title and updated; checklist items are
matched by text so the stable keys of items already answered stay."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from campaign.tasks.models import Campaign, CampaignTask, ChecklistItem

CAMPAIGN_NAME = "2026年安全生产月"
CAMPAIGN_THEME = "人人讲安全、个个会应急"

HOME_CHECKS = [
    ("燃气管道、阀门与灶具完好，无漏气（可用肥皂水检查接口）", "软管是否老化开裂，是否超过两米或穿墙"),
    ("电线、插座无老化、破损，没有私拉乱接", "大功率电器不共用一个插线板"),
    ("电动自行车不在楼道、楼梯间和室内停放充电", ""),
    ("安装了烟感报警器并能正常报警", "按测试键试一试"),
    ("逃生通道、楼梯间畅通，没有堆放杂物", "防盗窗留有可开启的逃生口"),
    ("药品与消毒剂、酒精等化学品分开存放，放在儿童够不到的地方", ""),
    ("家中备有灭火器或灭火毯，并在有效期内", ""),
    ("家人都知道家中的逃生路线和集合地点", ""),
    ("出门和睡前检查关闭燃气阀门、电器电源", ""),
]
EBIKE_CHECKS = [
    ("使用原厂或与电池匹配的合格充电器", "不混用充电器"),
    ("充电时长合理，不在夜间无人看管时长时间充电", "一般充满即断电，不超过 8 小时"),
    ("不在楼道、楼梯间、安全出口或室内充电", "在集中充电点或室外安全处充电"),
    ("充电线缆与插座完好，不私拉电线、不用“飞线”充电", ""),
    ("电池外观无鼓包、变形、漏液，未私自改装", ""),
    ("充电处周围无可燃物，附近有灭火器材", ""),
]


def _guidance(keyword: str, text: str) -> str:
    from content.models import MaterialPage

    html = f"<p>{text}</p>"
    page = MaterialPage.objects.live().filter(title__contains=keyword).first()
    if page is not None:
        html += f'<p>参考资料：<a linktype="page" id="{page.pk}">{page.title}</a></p>'
    return html


def demo_campaign(home=None) -> Campaign:
    today = timezone.localdate()
    starts = getattr(home, "campaign_start", None) or today
    ends = getattr(home, "campaign_end", None) or starts + dt.timedelta(days=29)
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first() or Campaign(name=CAMPAIGN_NAME)
    campaign.theme = campaign.theme or CAMPAIGN_THEME
    campaign.starts_on, campaign.ends_on = starts, max(ends, starts)
    campaign.save()
    return campaign


def _task_specs() -> list[dict]:
    return [
        {
            "title": "读一本安全/应急科普书",
            "guidance": _guidance(
                "应急",
                "读一本安全生产或应急科普书（纸质书、电子书或平台“应急科普”栏目中的读物均可），写下书名和读后感。",
            ),
            "text_label": "书名和读后感（不少于 50 字）",
            "text_required": True,
            "photos_min": 0,
            "photos_max": 3,
            "needs_review": True,
            "items": [],
        },
        {
            "title": "家庭隐患排查",
            "guidance": _guidance(
                "燃气", "对照清单逐项检查自己家里，发现的问题写在备注里，并拍照记录（燃气灶、插座、逃生通道等）。"
            ),
            "photos_min": 2,
            "photos_max": 6,
            "text_label": "发现的问题和整改情况（选填）",
            "needs_review": True,
            "items": HOME_CHECKS,
        },
        {
            "title": "电动自行车充电检查",
            "guidance": _guidance(
                "电动自行车", "检查家里电动自行车的充电器、充电时间、地点、线缆和电池；没有电动自行车的选“不适用”。"
            ),
            "photos_min": 1,
            "photos_max": 3,
            "needs_review": True,
            "items": EBIKE_CHECKS,
        },
        {
            "title": "绘制逃生路线图",
            "guidance": _guidance(
                "应急避险",
                "按单位统一组织，每位职工画出自己所在科室（或家中）的逃生路线图：标出所在位置、两个以上疏散方向、安全出口、"
                "楼梯和集合点，拍照上传。",
            ),
            "photos_min": 1,
            "photos_max": 3,
            "text_label": "路线说明（选填）",
            "needs_review": True,
            "items": [("图上标出了安全出口和两个以上疏散方向", ""), ("图上标出了室外集合点", "")],
        },
        {
            "title": "特殊岗位安全技能培训",
            "audience": CampaignTask.Audience.PER_INSTITUTION,
            "guidance": _guidance(
                "动火",
                "由单位安全员组织电焊工、锅炉工、配电、危化品管理等特殊岗位人员开展一次安全技能培训，上传培训照片、签到情况和培训材料。",
            ),
            "photos_min": 1,
            "photos_max": 6,
            "text_label": "培训时间、内容和参加人数",
            "text_required": True,
            "file_label": "签到表或培训课件（PDF、Word、Excel 或照片）",
            "file_required": True,
            "needs_review": True,
            "items": [],
        },
    ]


def seed_tasks(stdout, options, context) -> list[CampaignTask]:
    campaign = demo_campaign(context.get("home"))
    opens_at = timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time(0, 0)))
    tasks = []
    for order, spec in enumerate(_task_specs(), start=1):
        spec = dict(spec)
        items = spec.pop("items")
        task = CampaignTask.objects.filter(campaign=campaign, title=spec["title"]).first() or CampaignTask(
            campaign=campaign, title=spec["title"]
        )
        task.audience = spec.pop("audience", CampaignTask.Audience.EVERYONE)
        for field in ("text_label", "file_label"):
            setattr(task, field, spec.pop(field, ""))
        for field in ("text_required", "file_required"):
            setattr(task, field, spec.pop(field, False))
        for key, value in spec.items():
            setattr(task, key, value)
        task.opens_at = min(task.opens_at, opens_at) if task.pk and task.opens_at else opens_at
        task.due_on = campaign.ends_on
        task.order = order
        task.save()
        existing = {item.text: item for item in task.items.all()}
        keep = []
        for position, (text, hint) in enumerate(items):
            item = existing.get(text) or ChecklistItem(task=task, text=text)
            item.hint, item.sort_order = hint, position
            item.save()
            keep.append(item.pk)
        task.items.exclude(pk__in=keep).delete()
        tasks.append(task)
    if stdout:
        stdout.write(f"  campaign tasks: {campaign.name}, {len(tasks)} tasks (五个一) due {campaign.ends_on}")
    return tasks
