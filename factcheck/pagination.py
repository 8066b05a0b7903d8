from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pages for sync clients: ``next``/``previous`` links, ``page_size`` capped at 200."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        """``page_size`` must be a whole number of at least 1 (400 otherwise); more than the cap means the cap."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit()) or not digits:
            message = f"Enter a whole number from 1 to {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: [message]})
        # Compare lengths first: int() refuses strings of thousands of digits.
        return self.max_page_size if len(digits) > 9 else min(int(digits), self.max_page_size)
