"""One error shape for the whole API: {"error": code, "detail": message}.

DRF's own refusals (not authenticated, CSRF, permission denied, not found, throttled, bad JSON) come back in the
same shape as the apps' errors; field validation errors keep DRF's {field: [messages]} form.
"""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(response.data, dict):
        return response
    if set(response.data) == {"detail"}:
        code = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        response.data = {"error": code if isinstance(code, str) else "error", "detail": response.data["detail"]}
    return response
