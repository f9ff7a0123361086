"""One error shape for the whole API: {"error": code, "detail": message}, plus documented extras.

`error` is a stable snake_case code for programs, `detail` a message for people. The extras a response may add are
listed in elearn.api_schema_errors.ERROR_EXTRAS; the main one is `fields`, DRF's field errors ({field: [messages]},
nested fields as objects) when a request body does not validate (code "invalid", detail the first message).

Every refusal under /api/ takes this shape, whoever answers it:
- the apps' API views answer their own refusals with `error_body(code, detail, ...)`;
- `exception_handler` (DRF's EXCEPTION_HANDLER) shapes whatever a DRF view raises: not_authenticated, csrf_failed,
  permission_denied, not_found (an Http404 too), method_not_allowed, parse_error, unsupported_media_type, throttled,
  invalid (validation), and the apps' APIExceptions with their own codes;
- `bad_request`, `permission_denied`, `page_not_found` and `server_error` are the site's handler400/403/404/500: for
  a path under /api/ they answer JSON (a URL that matches no route, such as /api/v1/attempts/abc/answer/ where the id
  must be a number; an uncaught error), elsewhere Django's pages;
- elearn.org.middleware answers an account still on its initial password with `password_change_required`, and
  elearn.privacy.middleware one that has not acknowledged the current notice with `notice_required`.
Anonymous requests get 403 not_authenticated, not 401: the API authenticates by session cookie only, and a 401 must
carry a WWW-Authenticate challenge, which a cookie login cannot offer (DRF answers 403 for the same reason).

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

from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
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


API_PREFIX = "/api/"


def error_body(code: str, detail, **extras) -> dict:
    """The API's error body. `extras` must be documented in elearn.api_schema_errors.ERROR_EXTRAS."""
    return {"error": code, "detail": str(detail), **extras}


def _unavailable_body() -> dict:
    return error_body(DATABASE_UNAVAILABLE_CODE, _("系统繁忙，数据暂时无法保存或读取，请稍后重试。"))


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _wants_json(request) -> bool:
    return _is_api(request) or "application/json" in request.headers.get("Accept", "")


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


def _first_message(errors, path: str = "") -> str:
    """The first message in DRF's field errors, prefixed by where it belongs ("options.2: ...")."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            found = _first_message(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            inner = path if not isinstance(value, dict | list) else f"{path}.{index}"
            found = _first_message(value, inner)
            if found:
                return found
    elif errors is not None and str(errors):
        return f"{path}: {errors}" if path and path != "non_field_errors" else str(errors)
    return ""


def _plain(value):
    """ErrorDetail strings (and containers of them) as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def validation_body(errors, code: str = "invalid") -> dict:
    """DRF's field errors (a serializer's .errors, or a ValidationError's detail) in the error shape."""
    if not isinstance(errors, dict):
        errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
    fields = _plain(errors)
    return error_body(code, _first_message(fields) or _("提交的数据无效。"), fields=fields)


def _drf_code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        return "csrf_failed"
    code = exc.get_codes()
    return code if isinstance(code, str) and code else exc.default_code


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
        return Response(error_body("invalid_value", detail), status=400)
    if isinstance(exc, Http404):  # as DRF does, so that the code is DRF's too
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API exception: a 500, answered by server_error below
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(data)
    elif isinstance(data, dict) and isinstance(data.get("error"), str) and "detail" in data:
        response.data = {**data, "detail": str(data["detail"])}  # an APIException raised with the shape itself
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        response.data = error_body(_drf_code(exc), detail if isinstance(detail, str) else _first_message(detail))
    return response


# --- Django's handlers (elearn/urls.py): JSON under /api/, the usual pages elsewhere ------------------------------------


def bad_request(request, exception, *args, **kwargs):
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("请求无效。")), status=400)
    return defaults.bad_request(request, exception, *args, **kwargs)


def permission_denied(request, exception, *args, **kwargs):
    if _is_api(request):
        return JsonResponse(error_body("permission_denied", _("没有权限执行此操作。")), status=403)
    return defaults.permission_denied(request, exception, *args, **kwargs)


def page_not_found(request, exception, *args, **kwargs):
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("未找到。")), status=404)
    return defaults.page_not_found(request, exception, *args, **kwargs)


def server_error(request, *args, **kwargs):
    """handler500: 503 when the uncaught exception is the database being unavailable; otherwise 500, as JSON under
    /api/ (never the exception's text) and Django's 500 page elsewhere."""
    if database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    if _is_api(request):
        return JsonResponse(error_body("server_error", _("服务器内部错误，请稍后重试。")), status=500)
    return defaults.server_error(request, *args, **kwargs)
