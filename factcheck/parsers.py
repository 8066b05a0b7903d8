"""Request body parsers."""

import math
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# JSON may escape UTF-16 halves ("\ud800") that are not characters; no database or encoder accepts them.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# No request to this API nests more than a few levels; deeper documents only reach recursive code
# (query lookups, serializers) that would exhaust the stack.
MAX_DEPTH = 32


def _problem_in(data):
    """Why ``data`` is refused, or None: nested too deeply, a lone surrogate, a number beyond a float."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if LONE_SURROGATE.search(value):
                return "a string contains a lone surrogate (\\ud800-\\udfff), not a character"
        elif isinstance(value, float):
            if not math.isfinite(value):
                return "a number is too large (out of range float values are not JSON compliant)"
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return f"the document is nested more than {MAX_DEPTH} levels deep"
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) what it would otherwise pass on to crash later: documents
    nested too deeply, strings that are not valid Unicode, numbers like 1e999 (infinity)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - the document is nested more than {MAX_DEPTH} levels deep.") from exc
        problem = _problem_in(data)
        if problem:
            raise ParseError(f"JSON parse error - {problem}.")
        return data
