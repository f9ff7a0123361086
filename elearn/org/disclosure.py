"""What a response shows of other people's data, noted on the request by the entry point that builds it.

An entry point (HTML view, API view, admin view) that shows, exports or hands out other people's personal data calls
`disclose(request, ...)` once per response: what it is (a list, one person's record, an export), about whom (one
person) or how many, and whose institution. The privacy capability's middleware (elearn.privacy.middleware) writes
each note into the access log once the response has succeeded, and refuses to send the response if it cannot: data
leaves only with its record. Kept here, in the accounts kernel, so that every app and the accounts' own screens
note the same way without importing the capability that records it (which sits above the accounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

VIEW = "view"
EXPORT = "export"
DOWNLOAD = "download"
ACTIONS = (VIEW, EXPORT, DOWNLOAD)


@dataclass(frozen=True)
class Disclosure:
    action: str
    what: str
    subject_id: int | None = None
    count: int | None = None
    institution_id: int | None = None
    with_mobile: bool = False
    detail: dict = field(default_factory=dict)


def _http_request(request):
    """The Django request under a DRF request (notes must reach the middleware, which sees the Django one)."""
    return getattr(request, "_request", request)


def _pk(value) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else getattr(value, "pk", None)


def disclose(
    request,
    *,
    what: str,
    action: str = VIEW,
    subject=None,
    count: int | None = None,
    institution=None,
    with_mobile: bool = False,
    detail: dict | None = None,
) -> None:
    """Note that this response shows `what` (a short Chinese description: "未参考名单：<exam>"), about `subject` (a
    person or their id) or `count` people, of `institution` (None: several or every institution)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown disclosure action {action!r}")
    subject_id = _pk(subject)
    note = Disclosure(
        action=action,
        what=str(what)[:200],
        subject_id=subject_id,
        count=1 if subject_id is not None and count is None else count,
        institution_id=_pk(institution),
        with_mobile=with_mobile,
        detail=dict(detail or {}),
    )
    http = _http_request(request)
    notes = http.__dict__.setdefault("_elearn_disclosures", [])
    if note not in notes:  # a view that looks its object up twice notes it once
        notes.append(note)


def disclosures(request) -> list[Disclosure]:
    return list(_http_request(request).__dict__.get("_elearn_disclosures", ()))
