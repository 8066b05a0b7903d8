"""Candidate claims from article text (placeholder until the extraction issue lands)."""


def extract_claims(article, *, by=None):
    return []
