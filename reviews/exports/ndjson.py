"""The ``ndjson`` format: one claim detail per line, exactly the body of ``GET /api/v1/claims/{id}/``."""

from reviews.exports.jsontext import chunks, dumps


def write_ndjson(claims):
    """One claim detail (as ``GET /api/v1/claims/{id}/`` returns it) per line."""
    return chunks(dumps(claim.detail) + "\n" for claim in claims)
