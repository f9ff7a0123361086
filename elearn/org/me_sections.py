"""Sections other apps add to the 我的 page: templates included in order (each loads what it needs)."""

_TEMPLATES: list[str] = []


def register(template_name: str) -> None:
    if template_name not in _TEMPLATES:
        _TEMPLATES.append(template_name)


def me_sections() -> list[str]:
    return list(_TEMPLATES)
