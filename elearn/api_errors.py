"""One error shape for the whole API: {"error": code, "detail": message}.

DRF's own refusals (not authenticated, CSRF, permission denied, not found, throttled, bad JSON) come back in the
same shape as the apps' errors; field validation errors keep DRF's {field: [messages]} form.

Database unavailable (PostgreSQL restarting, the pool timing out, SQLite locked past its busy timeout) is a
temporary condition, not a server bug: every request that fails on it gets 503 with a Retry-After header, as
{"error": "database_unavailable", ...} on the API and a short page elsewhere. The rule is `database_unavailable()`
and `database_unavailable_response()` below; it is applied in two places that cover every request:
- `exception_handler` for DRF views (an error raised inside an API view);
- `server_error`, the site's handler500, for everything else. A database error usually surfaces before any view
  runs (the session and user are loaded lazily by the first middleware that looks at request.user), and Django turns
  an exception raised in middleware into a 500 response at once, so a middleware's process_exception would never see
  it; handler500 is called for every uncaught exception, with the exception still being handled (also under ASGI:
  asgiref re-raises it in the worker thread).
"""

import logging
import sys

from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("elearn.api")

RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE_CODE = "database_unavailable"

_UNAVAILABLE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
try:  # raw driver errors (Django wraps them, except where a caller bypasses the wrapper), psycopg_pool.PoolTimeout
    import psycopg

    _UNAVAILABLE += (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover - SQLite-only install
    pass


def database_unavailable(exc: BaseException | None) -> bool:
    """True for errors that mean "the database cannot be reached or used right now; try again shortly"."""
    return isinstance(exc, _UNAVAILABLE)


def value_out_of_range(exc: BaseException | None) -> bool:
    """True for a value from the request that the database cannot hold: a number beyond 64 bits (SQLite: OverflowError
    or "datatype mismatch"; PostgreSQL: out of range), a NUL character in text (PostgreSQL). A client error: 400."""
    if isinstance(exc, OverflowError | DataError):
        return True
    return isinstance(exc, IntegrityError) and "datatype mismatch" in str(exc)


def _unavailable_body() -> dict:
    return {"error": DATABASE_UNAVAILABLE_CODE, "detail": _("系统繁忙，数据暂时无法保存或读取，请稍后重试。")}


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def database_unavailable_response(request) -> HttpResponse:
    """503 + Retry-After: JSON in the API's error shape for API and JSON clients, a short page otherwise.
    Touches neither the database nor request.user (both are what failed)."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    body = _unavailable_body()
    if _wants_json(request):
        return JsonResponse(body, status=503, headers=headers)
    title = escape(_("服务暂时不可用"))
    page = (
        '<!doctype html><html lang="zh-hans"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><h1>{title}</h1><p>{escape(body['detail'])}</p></html>"
    )
    return HttpResponse(page, status=503, headers=headers)


def exception_handler(exc, context):
    if database_unavailable(exc):
        request = context.get("request")
        logger.warning(
            "database unavailable: %s %s", getattr(request, "method", "?"), getattr(request, "path", "?"), exc_info=exc
        )
        set_rollback()
        return Response(_unavailable_body(), status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if value_out_of_range(exc):
        set_rollback()
        detail = _("参数超出范围或含有无效字符（如过大的数字、NUL 字符）。")
        return Response({"error": "invalid_value", "detail": detail}, status=400)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(response.data, dict):
        return response
    if set(response.data) == {"detail"}:
        code = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        response.data = {"error": code if isinstance(code, str) else "error", "detail": response.data["detail"]}
    return response


def server_error(request, *args, **kwargs):
    """handler500: 503 when the uncaught exception is the database being unavailable, Django's 500 otherwise."""
    if database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    return defaults.server_error(request, *args, **kwargs)
