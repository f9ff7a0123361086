"""The API's 400 bodies as the OpenAPI schema documents them (raw drf-spectacular schemas); the shapes are set by
elearn.api_errors.exception_handler, which keeps DRF's field errors as they are.

A serializer validated with is_valid(raise_exception=True) answers DRF's field errors, {field: [message, ...]}:
a nested or list field maps to an object of the same shape (list items by index), errors not tied to one field
come under "non_field_errors". The site's JavaScript reads that shape, so the schema documents it as it is; an
operation whose view also answers its own error body documents both with `or_field_errors`.
"""

FIELD_ERRORS = {
    "type": "object",
    "description": "DRF validation errors: each field (or non_field_errors) maps to its messages; a nested or list "
    "field maps to an object of the same shape",
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}],
    },
}


API_ERROR = {
    "type": "object",
    "description": "The API's error shape, also for DRF's own refusals (e.g. a body that does not parse)",
    "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["error", "detail"],
}


def or_field_errors(*components: str) -> dict:
    """A 400 that is one of the named components (the view's own bodies), the API's error shape (DRF's refusals,
    such as a body that does not parse, come back in it) or DRF's field errors."""
    return {"anyOf": [*({"$ref": f"#/components/schemas/{name}"} for name in components), API_ERROR, FIELD_ERRORS]}


def error_with_field_errors(code_description: str) -> dict:
    """{"error": code, "detail": field errors}: a view that wraps a serializer's errors in its error body."""
    return {
        "type": "object",
        "properties": {"error": {"type": "string", "description": code_description}, "detail": FIELD_ERRORS},
        "required": ["error", "detail"],
    }
