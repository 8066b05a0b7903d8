"""Text handling shared by ingestion, seeding and extraction."""


def normalize_body(body):
    """Article bodies use ``\\n`` line ends only, so offsets mean the same on every platform."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def search_text(term):
    """A search term as a query may take it: NUL becomes a space, surrounding whitespace goes.

    Stored text never holds NUL, and PostgreSQL refuses it in a query.
    """
    return term.replace("\x00", " ").strip()
