"""Security headers: a strict content security policy on the site, relaxed only for the Wagtail admin."""


def _directive(response, name):
    for part in response["Content-Security-Policy"].split(";"):
        key, _, value = part.strip().partition(" ")
        if key == name:
            return value.split()
    return None


def test_site_pages_forbid_inline_script(client, db):
    response = client.get("/accounts/login/")
    assert _directive(response, "script-src") == ["'self'"]
    assert _directive(response, "object-src") == ["'none'"] and _directive(response, "frame-ancestors") == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_admin_gets_the_relaxed_script_policy_only(client, db):
    response = client.get("/admin/login/")
    assert "'unsafe-inline'" in _directive(response, "script-src")
    assert _directive(response, "object-src") == ["'none'"]


def test_no_site_template_has_inline_handlers_or_scripts():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "elearn" / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        if "wagtailadmin" in path.parts or "admin" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\son[a-z]+\s*=", text) or re.search(
            r"<script(?![^>]*\b(src|type=\"application/json\"|id=)[^>]*>)", text
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
