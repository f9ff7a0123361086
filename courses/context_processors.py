"""Adds the study section to the 我的 page (elearn/templates/org/me.html renders `me_sections`). No queries."""

ME_SECTIONS = ["courses/includes/me_study.html"]


def me_sections(request):
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "org:me":
        return {"me_sections": ME_SECTIONS}
    return {}
