"""Content security policy: strict on the site (settings.CONTENT_SECURITY_POLICY), relaxed only where third-party
code runs inline script: Wagtail's admin and the API docs pages."""

from csp.constants import SELF, UNSAFE_EVAL, UNSAFE_INLINE
from csp.middleware import CSPMiddleware

RELAXED_PREFIXES = ("/admin/", "/api/docs/", "/api/redoc/")
RELAXED = {"script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL], "worker-src": [SELF, "blob:"]}


class PathAwareCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(RELAXED_PREFIXES) and parts.replace is None:
            parts.replace = RELAXED
        return parts
