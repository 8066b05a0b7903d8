"""Importing other organisations' fact-checks from their schema.org ClaimReview markup.

Reads what fact-checkers publish: a JSON-LD array of ClaimReview objects, a single one, a schema.org
``DataFeed`` (``dataFeedElement`` of ``DataFeedItem``\\s, each with an ``item``: Google's fact-check
feed, and what ``reviews.exports``' ``datafeed`` format writes), ``@graph`` containers, and an HTML
page's ``<script type="application/ld+json">`` blocks. It tolerates the variants publishers emit:
an author as a string, an object or a list; ``ratingValue`` as a string; dates with or without a time.

Every item is checked before anything is stored: an item without a ``url``, a ``claimReviewed`` or a
rating (``reviewRating.alternateName`` or a numeric ``ratingValue``) is invalid. By default one
invalid item means nothing is stored and the report lists every item's errors; with
``skip_invalid`` the valid items are stored and the invalid ones reported as skipped. Items are
stored by ``url``: importing the same ClaimReview again updates the row (or leaves it unchanged),
never duplicates it. One transaction per import.
"""

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_date, parse_datetime

from claims.models import ExternalFactCheck
from claims.validators import http_url, validate_language
from factcheck.exceptions import ConflictError

URL_MAX_LENGTH = 2000
TEXT_MAX_LENGTH = 10_000
NAME_MAX_LENGTH = 300
# As the API's JSON parser (factcheck.parsers): no ClaimReview nests deeper; deeper only reaches recursive code.
MAX_DEPTH = 32
# Rows written per statement, and how often progress is reported while storing.
CHUNK = 1000
# The ExternalFactCheck fields an item sets; comparing them tells an update from an unchanged item.
FIELDS = (
    "publisher",
    "publisher_url",
    "claim_reviewed",
    "claimant",
    "claimant_type",
    "rating_text",
    "rating_value",
    "best_rating",
    "worst_rating",
    "date_published",
    "date_modified",
    "claim_date",
    "appearances",
    "language",
    "data",
)


class UnreadableFeed(ValueError):
    """The document as a whole cannot be read: not JSON, no ClaimReview in it, nothing to import."""


class ImportConflict(ConflictError):
    """Another import stored one of the same URLs meanwhile (409: send it again)."""


# --- Reading the document -------------------------------------------------------------------------


class _JSONLDScripts(HTMLParser):
    """Collects the text of every ``<script type="application/ld+json">`` of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            kind = (dict(attrs).get("type") or "").split(";")[0].strip().lower()
            self._inside = kind == "application/ld+json"
            if self._inside:
                self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def json_ld_in_html(html):
    """The JSON-LD documents embedded in an HTML page, and the errors of blocks that are not JSON."""
    parser = _JSONLDScripts()
    parser.feed(html)
    parser.close()
    documents, errors = [], []
    for number, block in enumerate(parser.blocks, start=1):
        try:
            documents.append(json.loads(block))
        except (ValueError, RecursionError) as exc:
            errors.append(f"JSON-LD block {number} is not JSON: {exc}")
    return documents, errors


def looks_like_html(text):
    return bool(re.match(r"\s*<", text))


def read_text(text):
    """The JSON-LD of a document given as text: JSON (any shape read by ``items_in``) or an HTML page."""
    if looks_like_html(text):
        documents, errors = json_ld_in_html(text)
        if not documents:
            reason = "; ".join(errors) or 'the page has no <script type="application/ld+json"> block'
            raise UnreadableFeed(f"No JSON-LD to import: {reason}.")
        return {"@graph": documents}
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise UnreadableFeed("Not JSON: the document is nested too deeply.") from exc
    except ValueError as exc:
        raise UnreadableFeed(f"Neither JSON nor an HTML page: {exc}.") from exc


def schema_type(node):
    """The schema.org types of a node, without prefix: ``"schema:ClaimReview"`` → ``{"ClaimReview"}``."""
    types = node.get("@type") if isinstance(node, dict) else None
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list):
        return set()
    return {re.split(r"[/:#]", kind)[-1] for kind in types if isinstance(kind, str)}


def items_in(document):
    """The items a document offers for import, in order: each a ClaimReview candidate (any JSON value).

    An array, a DataFeed's elements and a DataFeedItem's ``item`` are taken as meant for import, so
    an element that is not a ClaimReview is an (invalid) item; in ``@graph`` containers and HTML pages,
    which also describe the page, its publisher and so on, only ClaimReview nodes are items.
    """
    found = []

    def visit(node, *, explicit, depth=1):
        if depth > MAX_DEPTH:
            raise UnreadableFeed(f"The document is nested more than {MAX_DEPTH} levels deep.")
        if isinstance(node, list):
            for element in node:
                visit(element, explicit=explicit, depth=depth + 1)
            return
        if not isinstance(node, dict):
            if explicit:
                found.append(node)
            return
        types = schema_type(node)
        if "ClaimReview" in types:
            found.append(node)
        elif "DataFeed" in types or ("dataFeedElement" in node and not types):
            visit(node.get("dataFeedElement", []), explicit=True, depth=depth + 1)
        elif "DataFeedItem" in types:
            visit(node.get("item", []), explicit=True, depth=depth + 1)
        elif "@graph" in node:
            visit(node["@graph"], explicit=False, depth=depth + 1)
        elif explicit:
            found.append(node)

    visit(document, explicit=True)
    if not found:
        raise UnreadableFeed("No ClaimReview found: send a ClaimReview, an array of them, a DataFeed or an HTML page.")
    return found


# --- One item -------------------------------------------------------------------------------------


def _first(value):
    """A list's first element (publishers wrap single values in lists), or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(value):
    """A string value, stripped; a number as text; anything else (or nothing) is ""."""
    value = _first(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _name_and_type(value):
    """``(name, schema.org type)`` of an author given as a string, an object or a list of either."""
    value = _first(value)
    if isinstance(value, str):
        return value.strip(), ""
    if isinstance(value, dict):
        types = sorted(schema_type(value))
        return _text(value.get("name")), (types[0] if types else "")
    return "", ""


def _number(value):
    """A finite number from a number or a numeric string ("4", "4.5", "4,5"); None otherwise."""
    value = _first(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond a float
            return None
        return number if math.isfinite(number) else None
    return None


def _moment(value):
    """A datetime from an ISO 8601 date or date-time (a date is midnight UTC); None when unreadable."""
    text = _text(value)
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text[:10]) if len(text) >= 10 else None
            moment = datetime.combine(day, time(), tzinfo=UTC) if day else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _day(value):
    moment = _moment(value)
    return moment.date() if moment else None


def _url(value):
    """A URL given as a string or as an object with a ``url`` (or ``@id``)."""
    value = _first(value)
    if isinstance(value, dict):
        return _text(value.get("url")) or _text(value.get("@id"))
    return _text(value)


def _valid_url(value):
    if not value or len(value) > URL_MAX_LENGTH:
        return False
    try:
        http_url(value)
    except ValidationError:
        return False
    return True


def _appearances(item_reviewed):
    """Every appearance URL of the claim: ``firstAppearance`` first, then ``appearance``, each once."""
    urls = []
    for key in ("firstAppearance", "appearance"):
        values = item_reviewed.get(key)
        for value in values if isinstance(values, list) else [values]:
            url = _url(value)
            if _valid_url(url) and url not in urls:
                urls.append(url)
    return urls


def _language(node):
    value = _first(node.get("inLanguage"))
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    language = _text(value)
    try:
        validate_language(language)
    except ValidationError:
        return ""
    return language


def _unstorable(node):
    """Why no database would store ``node``, or None: a NUL, a lone surrogate, a number beyond a float,
    nesting deeper than ``MAX_DEPTH``."""
    pending = [(node, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"it is nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, str):
            if "\x00" in value:
                return "a string contains a NUL character (\\u0000)"
            if re.search("[\ud800-\udfff]", value):
                return "a string contains a lone surrogate (\\ud800-\\udfff), not a character"
        elif isinstance(value, float) and not math.isfinite(value):
            return "a number is not finite (NaN or Infinity)"
        elif isinstance(value, dict):
            pending.extend((item, depth + 1) for item in (*value.keys(), *value.values()))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return None


def read_item(node):
    """``(fields, errors, warnings)`` of one ClaimReview: the ExternalFactCheck fields it sets, what makes
    it invalid (missing url, claimReviewed or rating), and what of it was left out as unreadable."""
    if not isinstance(node, dict):
        return {}, [f"Not a ClaimReview object but {type(node).__name__}."], []
    problem = _unstorable(node)
    if problem:
        return {}, [f"Cannot be stored: {problem}."], []
    errors, warnings = [], []
    if "ClaimReview" not in schema_type(node):
        errors.append('Not a ClaimReview: "@type" must be "ClaimReview".')
    url = _text(node.get("url"))
    if not url:
        errors.append("url is missing.")
    elif not _valid_url(url):
        errors.append(f"url is not an http:// or https:// URL of at most {URL_MAX_LENGTH} characters.")
    claim_reviewed = _text(node.get("claimReviewed"))
    if not claim_reviewed:
        errors.append("claimReviewed is missing.")
    elif len(claim_reviewed) > TEXT_MAX_LENGTH:
        errors.append(f"claimReviewed is longer than {TEXT_MAX_LENGTH} characters.")

    rating = _first(node.get("reviewRating"))
    rating_text, value, best, worst = "", None, None, None
    if isinstance(rating, dict):
        rating_text = _text(rating.get("alternateName")) or _text(rating.get("name"))
        value, best, worst = (_number(rating.get(key)) for key in ("ratingValue", "bestRating", "worstRating"))
        if rating.get("ratingValue") not in (None, "") and value is None:
            warnings.append("reviewRating.ratingValue is not a number: left out.")
    if not rating_text and value is None:
        errors.append("reviewRating is missing: give its alternateName or a numeric ratingValue.")
    if best is not None and worst is not None and not worst < best:
        warnings.append("reviewRating: worstRating is not below bestRating; the bounds were left out.")
        best = worst = None
    if value is not None and ((best is not None and value > best) or (worst is not None and value < worst)):
        if rating_text:
            warnings.append("reviewRating.ratingValue is outside its bounds; the numbers were left out.")
            value = best = worst = None
        else:
            errors.append("reviewRating.ratingValue is outside worstRating–bestRating.")

    publisher, _ = _name_and_type(node.get("author"))
    author = _first(node.get("author"))
    publisher_url = _text(author.get("url")) if isinstance(author, dict) else ""
    if publisher_url and not _valid_url(publisher_url):
        warnings.append("author.url is not an http(s) URL; left out.")
        publisher_url = ""
    item_reviewed = _first(node.get("itemReviewed"))
    item_reviewed = item_reviewed if isinstance(item_reviewed, dict) else {}
    claimant, claimant_type = _name_and_type(item_reviewed.get("author"))

    dates = {}
    for name, key, source, reader in (
        ("date_published", "datePublished", node, _moment),
        ("date_modified", "dateModified", node, _moment),
        ("claim_date", "datePublished", item_reviewed, _day),
    ):
        raw = source.get(key)
        dates[name] = reader(raw)
        if raw not in (None, "") and dates[name] is None:
            where = "itemReviewed." if source is item_reviewed else ""
            warnings.append(f"{where}{key} is not an ISO 8601 date; left out.")

    for name, text in (("author.name", publisher), ("itemReviewed.author.name", claimant), ("rating", rating_text)):
        if len(text) > NAME_MAX_LENGTH:
            errors.append(f"{name} is longer than {NAME_MAX_LENGTH} characters.")
    fields = {
        "url": url,
        "publisher": publisher,
        "publisher_url": publisher_url,
        "claim_reviewed": claim_reviewed,
        "claimant": claimant,
        "claimant_type": claimant_type[:50],
        "rating_text": rating_text,
        "rating_value": value,
        "best_rating": best,
        "worst_rating": worst,
        **dates,
        "appearances": _appearances(item_reviewed),
        "language": _language(node),
        "data": node,
    }
    return fields, errors, warnings


# --- The import -----------------------------------------------------------------------------------


STATUSES = ("created", "updated", "unchanged", "invalid")


@dataclass
class ItemReport:
    index: int  # within its source, from 0
    url: str
    status: str  # created, updated, unchanged, invalid; "valid" when the import was refused for others
    source: str = ""  # the file it came from, when several are imported at once
    id: int | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self):
        body = {"index": self.index, "url": self.url or None, "status": self.status, "id": self.id}
        if self.source:
            body["source"] = self.source
        body["errors"], body["warnings"] = self.errors, self.warnings
        return body


@dataclass
class ImportReport:
    items: list[ItemReport]
    stored: bool  # False: refused, nothing was written
    skip_invalid: bool = False

    def count(self, status):
        return sum(1 for item in self.items if item.status == status)

    @property
    def summary(self):
        counts = ", ".join(f"{self.count(status)} {status}" for status in STATUSES)
        if not self.stored:
            return f"Nothing imported: {self.count('invalid')} of {len(self.items)} items are invalid ({counts})."
        skipped = " (invalid items skipped)" if self.count("invalid") else ""
        return f"Imported {len(self.items) - self.count('invalid')} of {len(self.items)} items: {counts}{skipped}."

    def as_dict(self):
        return {
            "detail": self.summary,
            "stored": self.stored,
            **{status: self.count(status) for status in STATUSES},
            "items": [item.as_dict() for item in self.items],
        }


def refused(detail):
    """The report of a document that could not be read at all: nothing stored, no items."""
    report = ImportReport(items=[], stored=False)
    return {**report.as_dict(), "detail": detail}


def import_claim_reviews(sources, *, by=None, skip_invalid=False, progress=None):
    """Validate then store the ClaimReviews of ``sources`` (``[(name, document)]``, each document JSON-LD
    already parsed); returns the ``ImportReport``. Raises ``UnreadableFeed`` when a document holds nothing
    to import.

    All or nothing: unless ``skip_invalid``, any invalid item means nothing is stored (and with it,
    nothing is when every item is invalid: the report is then ``stored=False`` too). The same
    ``url`` twice in one import is invalid the second time. ``progress(done, total)`` is called as
    items are stored.
    """
    reports, valid = [], []
    seen = {}
    for source, document in sources:
        for index, node in enumerate(items_in(document)):
            fields, errors, warnings = read_item(node)
            url = fields.get("url") or (_text(node.get("url")) if isinstance(node, dict) else "")
            if not errors and url in seen:
                errors.append(f"The same url as item {seen[url]}: a ClaimReview is imported once per import.")
            report = ItemReport(index=index, url=url, status="invalid", source=source, errors=errors, warnings=warnings)
            reports.append(report)
            if not errors:
                seen[url] = f"{source}#{index}" if source else str(index)
                report.status = "valid"  # until stored: then created, updated or unchanged
                valid.append((report, fields))
    invalid = any(report.errors for report in reports)
    if (invalid and not skip_invalid) or not valid:
        return ImportReport(items=reports, stored=False)
    try:
        _store(valid, by=by, progress=progress)
    except IntegrityError as exc:
        raise ImportConflict(
            "Another import stored some of the same fact-checks meanwhile; nothing was imported. Send it again."
        ) from exc
    return ImportReport(items=reports, stored=True, skip_invalid=skip_invalid)


@transaction.atomic
def _store(valid, *, by, progress):
    """Create, update or leave each valid item, by url, in chunks; one transaction."""
    total = len(valid)
    for first in range(0, total, CHUNK):
        chunk = valid[first : first + CHUNK]
        urls = [fields["url"] for _, fields in chunk]
        existing = ExternalFactCheck.objects.select_for_update().in_bulk(urls, field_name="url")
        to_create, to_update = [], []
        for report, fields in chunk:
            stored = existing.get(fields["url"])
            if stored is None:
                to_create.append((report, ExternalFactCheck(**fields, imported_by=by)))
                report.status = "created"
                continue
            report.id = stored.pk
            if all(_same(getattr(stored, name), fields[name]) for name in FIELDS):
                report.status = "unchanged"
                continue
            for name in FIELDS:
                setattr(stored, name, fields[name])
            to_update.append(stored)
            report.status = "updated"
        if to_create:
            created = ExternalFactCheck.objects.bulk_create([row for _, row in to_create])
            for (report, _), row in zip(to_create, created, strict=True):
                report.id = row.pk
        if to_update:
            for row in to_update:
                row.updated_at = datetime.now(UTC)
            ExternalFactCheck.objects.bulk_update(to_update, [*FIELDS, "updated_at"])
        if progress:
            progress(min(first + CHUNK, total), total)


def _same(stored, new):
    if isinstance(stored, float) and isinstance(new, float):
        return math.isclose(stored, new)
    return stored == new
