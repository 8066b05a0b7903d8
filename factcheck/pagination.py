from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable cursor pages for sync clients: ``next``/``previous`` links, ``page_size`` capped at 200."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
