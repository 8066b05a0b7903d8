"""Validation shared by the API, the admin and the commands."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")

http_url = URLValidator(schemes=["http", "https"], message="Enter a valid http:// or https:// URL.")


def validate_language(value):
    if not BCP47.match(value):
        raise ValidationError("Enter a BCP 47 language code such as 'en' or 'pt-BR'.")


def validate_span(body, start, end, quote=None):
    """Check that ``[start, end)`` is a non-empty span of ``body`` and, if given, that it reads ``quote``.

    Returns the quote the span covers. Raises ``ValidationError`` naming the offending field.
    """
    if start is None or end is None:
        raise ValidationError({"start": "start and end are required."})
    if start < 0:
        raise ValidationError({"start": "start must not be negative."})
    if end <= start:
        raise ValidationError({"end": "end must be greater than start."})
    if end > len(body):
        raise ValidationError({"end": f"end is past the end of the article body ({len(body)} characters)."})
    span = body[start:end]
    if quote is not None and span != quote:
        raise ValidationError({"quote": f"quote does not match the article body at [{start}, {end}): {span!r}."})
    return span


def locate_quote(body, quote):
    """The ``(start, end)`` of the only occurrence of ``quote`` in ``body``.

    Raises ``ValidationError`` when it is absent or ambiguous (then the caller must give offsets).
    """
    first = body.find(quote)
    if first < 0:
        raise ValidationError({"quote": "quote does not occur in the article body."})
    if body.find(quote, first + 1) >= 0:
        raise ValidationError({"start": "quote occurs more than once in the article; give start and end."})
    return first, first + len(quote)


MAX_SAME_AS = 20


def validate_same_as(value):
    """A claimant's ``same_as``: a list of at most 20 distinct http(s) URLs of at most 2,000 characters."""
    if not isinstance(value, list):
        raise ValidationError("Enter a list of URLs.")
    if len(value) > MAX_SAME_AS:
        raise ValidationError(f"Enter at most {MAX_SAME_AS} URLs.")
    for url in value:
        if not isinstance(url, str) or len(url) > 2000:
            raise ValidationError("Each URL must be text of at most 2000 characters.")
        http_url(url)
    if len(set(value)) != len(value):
        raise ValidationError("A URL is listed twice.")
