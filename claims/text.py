"""Text handling shared by ingestion, seeding and extraction."""


def normalize_body(body):
    """Article bodies use ``\\n`` line ends only, so offsets mean the same on every platform."""
    return body.replace("\r\n", "\n").replace("\r", "\n")
