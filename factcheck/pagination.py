import binascii
import math
from base64 import b64decode
from datetime import UTC, datetime
from urllib import parse

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

# Every integer column here is at most 64 bits; a position beyond that was never issued by us.
INTEGER_RANGE = range(-(2**63), 2**63)


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pages for sync clients: ``next``/``previous`` links, ``page_size`` capped at 200.

    A cursor this service cannot have issued is refused as DRF refuses an undecodable one, with the
    404 ``{"detail": "Invalid cursor"}`` the OpenAPI document gives: text that decodes to something
    other than DRF's ``o``/``r``/``p`` tokens (DRF would read it as the first page), and a position
    that is not a value of the ordering field (an impossible date, NaN, a NUL byte, an integer
    beyond 64 bits). An empty ``cursor=`` is the first page.
    """

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        """``page_size`` must be a whole number of at least 1 (400 otherwise, also given empty, as a typed
        filter is); more than the cap means the cap."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit()) or not digits:
            message = f"Enter a whole number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        # Compare lengths first: int() refuses strings of thousands of digits.
        return self.max_page_size if len(digits) > 9 else min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        cursor, page_size = super().get_schema_operation_parameters(view)
        cursor["description"] = (
            "Opaque: the `next` or `previous` link of a page, followed as is with the same filters and "
            "ordering. A cursor this service did not issue for this list is refused with 404 "
            '`{"detail": "Invalid cursor"}`.'
        )
        page_size["description"] = (
            f"Results per page (default {self.page_size}; more than {self.max_page_size} means {self.max_page_size})."
        )
        page_size["schema"] = {"type": "integer", "minimum": 1}
        return [cursor, page_size]

    def paginate_queryset(self, queryset, request, view=None):
        # decode_cursor() needs to know the type of the field the cursor's position is compared with.
        self.queryset = queryset
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """DRF's cursor, its position checked against the ordering field (404 "Invalid cursor" otherwise)."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded and not issued_cursor(encoded):
            raise NotFound(self.invalid_cursor_message)
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        field = ordering_field(self.queryset, self.ordering[0].lstrip("-"))
        try:
            position = cursor_position(field, cursor.position)
        except ValueError:
            raise NotFound(self.invalid_cursor_message) from None
        return cursor._replace(position=position)


CURSOR_TOKENS = {"o", "r", "p"}


def issued_cursor(encoded):
    """Whether ``encoded`` decodes as DRF encodes a cursor: each of ``o`` (a whole number), ``r`` (0 or 1)
    and ``p`` at most once, at least one of them, and nothing else."""
    try:
        querystring = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
    except (UnicodeError, binascii.Error, ValueError):
        return False
    tokens = parse.parse_qs(querystring, keep_blank_values=True)
    if not tokens or set(tokens) - CURSOR_TOKENS or any(len(values) != 1 for values in tokens.values()):
        return False
    offset, reverse = tokens.get("o", ["0"])[0], tokens.get("r", ["1"])[0]
    return offset.isascii() and offset.isdigit() and reverse in ("0", "1")


def ordering_field(queryset, name):
    """The model field (or annotation's output field) a queryset is ordered by, None if unknown."""
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    try:
        return queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def cursor_position(field, position):
    """``position`` as the database will compare it with ``field``, as text; ValueError if it cannot be.

    The text is what DRF writes into the cursors it issues (``str`` of the value), so a cursor this
    service issued comes back unchanged.
    """
    if "\x00" in position:
        raise ValueError("NUL byte")  # PostgreSQL refuses NUL in any text parameter
    if field is None:
        return position
    try:
        value = field.to_python(position)
    except DjangoValidationError:
        raise ValueError("not a value of the field") from None
    if value is None:
        raise ValueError("empty")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("NaN or infinite")
    if isinstance(value, int) and not isinstance(value, bool) and value not in INTEGER_RANGE:
        raise ValueError("beyond 64 bits")
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=UTC)
        try:
            value.astimezone(UTC)  # what the database adapter does; years 1 and 9999 can overflow
        except OverflowError:
            raise ValueError("out of range") from None
    return str(value)
