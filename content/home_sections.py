"""Sections other apps add to the home page (continue studying, open exams, live games).

An app registers a callable(request) -> dict | None with `register`; the dict is {"template": ..., **context}.
"""

_SECTIONS = []


def register(func):
    _SECTIONS.append(func)
    return func


def home_sections(request):
    sections = []
    for func in _SECTIONS:
        section = func(request)
        if section:
            sections.append(section)
    return sections
