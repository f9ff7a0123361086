"""The personal-information notice (告知): what is processed, why, who sees it, how long it is kept, and its version.

The version is `NOTICE_REVISION` (raise it when the text below changes its meaning) and the retention periods'
revision (RetentionSettings.revision: a period changed), so either change asks everyone to read it again."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from elearn.privacy.models import NOTICE_VERSION_CACHE_KEY, RETENTION_KINDS, RetentionSettings

NOTICE_REVISION = 1
VERSION_CACHE_KEY = NOTICE_VERSION_CACHE_KEY
VERSION_CACHE_SECONDS = 60


def current_version() -> str:
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        version = f"{NOTICE_REVISION}.{RetentionSettings.current().revision}"
        cache.set(VERSION_CACHE_KEY, version, VERSION_CACHE_SECONDS)
    return version


@dataclass(frozen=True)
class NoticeSection:
    title: str
    items: tuple[str, ...]


def _days(days: int) -> str:
    if days and days % 365 == 0:
        return _("%(n)d 年") % {"n": days // 365}
    return _("%(n)d 天") % {"n": days}


def retention_lines(retention: RetentionSettings | None = None) -> list[tuple[str, str]]:
    """(kind label, period) for each kind, as the notice and the 我的数据 page state them."""
    retention = retention or RetentionSettings.current()
    return [(str(label), _days(retention.days(kind))) for kind, label in RETENTION_KINDS.items()]


def notice_sections(retention: RetentionSettings | None = None) -> list[NoticeSection]:
    retention = retention or RetentionSettings.current()
    colon = pgettext("冒号", "：")  # ": " in English
    kept = tuple(f"{label}{colon}{period}" for label, period in retention_lines(retention))
    return [
        NoticeSection(
            _("我们处理哪些信息"),
            (
                _("你的姓名、工号、手机号、所在单位和科室/岗位（来自单位花名册）；"),
                _("你的学习进度、练习和考试作答、成绩与证书，参加竞赛的得分与作答；"),
                _("登录和使用本平台的必要记录。"),
            ),
        ),
        NoticeSection(
            _("为什么处理"),
            (
                _("组织安全生产月的学习、考试和知识竞赛，统计各单位的参与情况，保存安全培训记录。"),
                _("这是单位人力资源管理和安全生产教育培训所必需的，不用于其他目的。"),
            ),
        ),
        NoticeSection(
            _("谁能看到"),
            (
                _("你本人：全部内容，可在“我的 → 我的数据”查看和下载。"),
                _(
                    "本单位安全员和区卫健局管理员：学习进度、考试成绩和未参加名单；手机号默认隐藏，只在需要联系你时逐个显示，每次都有记录。"
                ),
                _("参加竞赛时，你的姓名和得分会显示在排行榜和大屏上；证书的验证页显示证书上的姓名、单位、考试和成绩。"),
                _("每次查看、显示手机号、导出和下载都会记录在访问记录中，你可以在“我的数据”里看到关于你的记录。"),
            ),
        ),
        NoticeSection(_("保存多久"), kept),
        NoticeSection(
            _("离职以后"),
            (_("账号立即停用；保存期限届满后，你的姓名、工号、手机号等将被匿名化，单位统计数字保持不变。"),),
        ),
    ]
