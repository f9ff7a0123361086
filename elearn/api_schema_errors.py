"""The API's error bodies as the OpenAPI schema documents them (raw drf-spectacular schemas and a postprocessing hook).

Every refusal is the component ApiError: {"error": code, "detail": message} plus, where they apply, the extras in
ERROR_EXTRAS and nothing else (elearn.api_errors builds them; tests/test_api_error_shape.py walks the router to hold
every response to it). `document_errors` gives every operation the refusals any of them can meet (403, 404 on a path
with an id, 400 with a body, 503) unless the operation documents its own; an operation whose view answers a
component of its own on 400 documents both with `or_field_errors`.
"""

FIELD_ERRORS = {
    "type": "object",
    "description": "DRF's field errors: each field (or non_field_errors) maps to its messages; a nested or list "
    "field maps to an object of the same shape",
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}],
    },
}

# The keys an error body may carry besides error and detail. A new one is added here (and to the README's API section).
ERROR_EXTRAS = {
    "fields": {
        **FIELD_ERRORS,
        "description": "With code invalid (a body that does not validate) or an operation's own code such as "
        "invalid_answer: " + FIELD_ERRORS["description"] + ". detail repeats the first message.",
    },
    "report": {
        "type": "object",
        "description": "With code rows_rejected (roster-import/, bank/import/): the import's report, as a dry run "
        "shows it (counts, rejected rows with row, column and reason); nothing was written",
    },
    "remaining_seconds": {
        "type": "integer",
        "description": "With code too_early (lessons/{id}/complete/): seconds of reading still needed",
    },
}

API_ERROR = {
    "type": "object",
    "description": "Every refusal of the API: `error` is a stable snake_case code (not_authenticated, csrf_failed, "
    "permission_denied, password_change_required, notice_required, not_found, method_not_allowed, parse_error, "
    "invalid, throttled, "
    "database_unavailable, server_error, or the operation's own), `detail` a message for people. Anonymous requests "
    "get 403 not_authenticated: the API authenticates by session cookie, which offers no WWW-Authenticate challenge.",
    "properties": {
        "error": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "detail": {"type": "string"},
        **ERROR_EXTRAS,
    },
    "required": ["error", "detail"],
    "additionalProperties": False,
}
API_ERROR_REF = {"$ref": "#/components/schemas/ApiError"}


def or_field_errors(*components: str) -> dict:
    """A 400 that is one of the named components (the view's own bodies) or the API's error shape (validation errors
    come back in it, their field errors under `fields`)."""
    if not components:
        return API_ERROR_REF
    return {"anyOf": [*({"$ref": f"#/components/schemas/{name}"} for name in components), API_ERROR_REF]}


def error_with_field_errors(code_description: str) -> dict:
    """The error shape with the field errors under `fields`: a view that validates a serializer itself and answers
    its own code (elearn.api_errors.validation_body)."""
    return {"allOf": [API_ERROR_REF], "description": code_description}


def error_with_report(component: str) -> dict:
    """A 400 of an import: the error shape; with code rows_rejected its `report` is the named report component."""
    report = {"type": "object", "properties": {"report": {"$ref": f"#/components/schemas/{component}"}}}
    return {"allOf": [API_ERROR_REF, report]}


_DEFAULTS = {
    "400": "invalid (field errors under `fields`), parse_error, unsupported_media_type, invalid_value",
    "403": "not_authenticated (no session), csrf_failed, permission_denied, password_change_required (an account "
    "still on its initial password), notice_required (the personal-information notice not yet acknowledged: "
    "GET and POST /api/v1/privacy/notice/)",
    "404": "not_found",
    "503": "database_unavailable (with Retry-After)",
}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": API_ERROR_REF}}}


def document_errors(result, generator, request=None, public=False, **kwargs):
    """drf-spectacular postprocessing hook: the ApiError component, and on every operation the refusals any request
    can meet, unless the operation documents them itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = API_ERROR
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            wanted = ["403", "503"]
            if "{" in path:
                wanted.append("404")
            if "requestBody" in operation:
                wanted.append("400")
            for status in wanted:
                responses.setdefault(status, _error_response(_DEFAULTS[status]))
    return result
