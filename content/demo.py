"""Demo campaign home page, dated from the day it is seeded so that everything in it is open."""

import datetime

from django.utils import timezone
from wagtail.models import Page, Site

from content.models import HomePage, PlatformSettings

INTRO = (
    "<p>根据区卫生健康局关于开展“安全生产月”活动的通知，全区各医疗卫生单位组织职工学习《安全生产法》《消防法》"
    "及医疗机构消防安全管理要求，普及应急避险、自救互救知识，参加线上安全生产知识考试和网络知识竞赛。</p>"
)


def ensure_page_tree() -> None:
    """Wagtail's migrations create the root page, the root collection and the default locale; a database whose
    tables were emptied (a flush, as transactional tests do) has none of them: put them back."""
    from django.conf import settings
    from wagtail.models import Collection, Locale

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Collection.get_first_root_node() is None:
        Collection.add_root(instance=Collection(name="Root"))
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def seed_home(stdout=None) -> HomePage:
    today = timezone.localdate()
    ensure_page_tree()
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's installer leaves a plain "Welcome" page at slug "home": replace it with the campaign page.
        for welcome in root.get_children().filter(slug="home"):
            if welcome.specific_class is Page and not welcome.get_children().exists():
                Site.objects.filter(root_page=welcome).update(root_page=root)
                welcome.delete()
        root.refresh_from_db()
        home = HomePage(title="安全生产月", slug="home", theme="人人讲安全、个个会应急")
        root.add_child(instance=home)
        Site.objects.all().delete()
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="安全生产月学习竞赛平台"
        )
    home.campaign_start = today
    home.campaign_end = today + datetime.timedelta(days=29)
    home.consultation_day = today + datetime.timedelta(days=15)
    home.intro = INTRO
    home.save_revision().publish()
    settings = PlatformSettings.for_site(Site.objects.get(is_default_site=True))
    settings.hotline = settings.hotline or "0000-12345678"
    settings.save()
    if stdout:
        stdout.write(f"  home page: {home.url or '/'} ({home.campaign_start} – {home.campaign_end})")
    return home
