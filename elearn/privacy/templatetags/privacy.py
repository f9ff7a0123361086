"""{% load privacy %}: `mask_mobile` (the one masking rule, elearn.org.phones) and `{% mobile_cell person context %}`,
a masked number with the one-tap reveal (recorded) for pages where the task needs the number."""

from django import template

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
