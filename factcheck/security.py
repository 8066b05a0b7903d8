"""Content-Security-Policy for every response: the site's policy on HTML, a minimal one on the rest."""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from rest_framework.renderers import BrowsableAPIRenderer

# A response that is not a page runs nothing and embeds nothing: JSON, CSV, scripts, stylesheets.
NON_HTML_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE]}

# DRF's browsable API (debug only) styles its pages with style="" attributes and an inline
# <style> for highlighted code; its scripts stay under the site's script-src.
BROWSABLE_API_STYLES = {"style-src": [SELF, UNSAFE_INLINE], "style-src-attr": None}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (``CONTENT_SECURITY_POLICY`` and the per-view decorators) for HTML.

    Every other response gets ``default-src 'none'; frame-ancestors 'none'``, so a JSON body opened
    directly in a browser, or framed, can load and run nothing.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if not response.get("Content-Type", "").startswith("text/html"):
            parts.config, parts.update, parts.replace = NON_HTML_POLICY, None, None
        elif isinstance(getattr(response, "accepted_renderer", None), BrowsableAPIRenderer):
            parts.replace = {**(parts.replace or {}), **BROWSABLE_API_STYLES}
        return parts
