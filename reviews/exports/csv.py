"""The ``csv`` format: one row per claim, columns ``CSV_COLUMNS``.

UTF-8 with a byte-order mark so that spreadsheets detect the encoding; text cells whose first
visible character is ``= + - @`` (or their fullwidth and small forms, ``＝`` …), or that start with
a tab or carriage return, get a leading ``'`` so that a spreadsheet does not run them as formulas.
"""

import csv
import io
import re

from reviews.exports.claimreview import review_urls

CSV_COLUMNS = [
    "claim_id",
    "article_id",
    "article_title",
    "article_url",
    "claimant",
    "quote",
    "claim_reviewed",
    "verdict",
    "rating_text",
    "rating_value",
    "summary",
    "evidence_urls",
    "published_at",
    "review_url",
    # Added by issue 13, after the columns clients already read by position.
    "first_published_at",
    "date_modified",
    # Added by issue 15: the other articles a recurring claim appeared in (reviews.matches), space-separated.
    "appearance_urls",
]
# OWASP "CSV injection": a spreadsheet runs a cell as a formula when it starts with = + - @, tab or
# carriage return, and skips leading blanks (spaces, line breaks, NBSP, zero-width characters) to
# find the sign, which may also be one of the characters that NFKC folds into = + - @ (fullwidth
# ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫, super- and subscript ⁺ ⁼ ₊ ₌, ⩵ ⩶ ﬩; tests/reviews/test_exports.py
# derives the list from unicodedata). One regular expression: as fast as the str.startswith it replaced.
FORMULA = re.compile(
    r"[\t\r]|[\s\u200b-\u200d\u2060\ufeff]*"
    r"[=+\-@\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20]"
)


def formula_like(text):
    """Whether a spreadsheet could run ``text`` as a formula (see ``FORMULA``)."""
    return FORMULA.match(text) is not None


def _guard(text):
    """Keep a spreadsheet from running a cell as a formula: a leading ``'`` makes it text."""
    return "'" + text if formula_like(text) else text


def csv_row(claim, url):
    """The ``CSV_COLUMNS`` cells of a claim, text neutralised against formula injection."""
    detail = claim.detail
    review = detail["published_review"]
    return [
        detail["id"],
        detail["article"],
        _guard(detail["article_title"]),
        _guard(detail["article_url"] or ""),
        _guard(detail["claimant"]),
        _guard(detail["quote"]),
        _guard(detail["claim_reviewed"]),
        review["verdict"],
        _guard(review["rating_text"]),
        "" if review["rating_value"] is None else review["rating_value"],
        _guard(review["summary"]),
        _guard(" ".join(evidence["url"] for evidence in review["evidence"])),
        review["published_at"],
        _guard(url(claim_id=detail["id"], review_id=review["id"])),
        review["first_published_at"],
        review["date_modified"] or "",
        _guard(" ".join(other["article_url"] for other in detail.get("appearances", ()) if other["article_url"])),
    ]


def write_csv(claims, rows_per_chunk=500):
    """A header and one row per claim; UTF-8 with a byte-order mark, RFC 4180 quoting and line ends."""
    url = review_urls()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    rows = []
    for claim in claims:
        rows.append(csv_row(claim, url))
        if len(rows) == rows_per_chunk:
            writer.writerows(rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            rows.clear()
    writer.writerows(rows)
    yield buffer.getvalue()
