"""The request bodies of the ClaimReview import: JSON-LD and HTML pages, besides plain JSON."""

import codecs

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from factcheck.parsers import JSONParser


class JSONLDParser(JSONParser):
    """``application/ld+json``: JSON, read as the project's JSON parser reads it."""

    media_type = "application/ld+json"


class HTMLPageParser(parsers.BaseParser):
    """``text/html``: the page as text (its charset, UTF-8 by default), for its JSON-LD blocks to be read."""

    media_type = "text/html"

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoder = codecs.getincrementaldecoder(encoding)()
        except LookupError as exc:
            raise ParseError(f"Unknown charset {encoding!r}.") from exc
        try:
            return decoder.decode(stream.read(), final=True) if stream is not None else ""
        except UnicodeDecodeError as exc:
            raise ParseError(f"The page is not valid {encoding}: {exc}.") from exc
