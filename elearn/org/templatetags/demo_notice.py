"""{% demo_notice %}: on the login pages (the site's and the admin's), the demo accounts and their shared password,
shown only while seed_demo's accounts are active (elearn.org.selectors.demo_logins)."""

from django import template

from elearn.org.demo import DEMO_PASSWORD
from elearn.org.selectors import demo_logins

register = template.Library()


@register.inclusion_tag("org/includes/demo_notice.html")
def demo_notice():
    accounts = demo_logins()
    return {"accounts": accounts, "password": DEMO_PASSWORD if accounts else ""}
