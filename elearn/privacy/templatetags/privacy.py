"""{% load privacy %}: `mask_mobile` (the one masking rule, elearn.org.phones) and `{% mobile_cell person context %}`,
a masked number with the one-tap reveal (recorded) for pages where the task needs the number."""

import datetime as dt
import re

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from elearn.org.phones import mask_mobile as _mask_mobile

register = template.Library()


@register.filter
def mask_mobile(value) -> str:
    return _mask_mobile(value)


@register.inclusion_tag("privacy/includes/mobile_cell.html", takes_context=True)
def mobile_cell(context, person, purpose: str = ""):
    """The person's number masked, and a button that reveals it in place (POST to privacy:reveal, recorded)."""
    request = context.get("request")
    return {
        "person_id": getattr(person, "pk", None),
        "masked": _mask_mobile(getattr(person, "mobile", "")),
        "purpose": purpose,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }


ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@register.filter
def person_value(value) -> str:
    """A value of a person's own data as they read it on 我的数据: 是/否 for flags, local "2026-12-06 23:08" for times,
    lists and records as short text (the download keeps the raw values)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return "、".join(person_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{person_value(v)}" for k, v in value.items()) or "—"
    return str(value)
