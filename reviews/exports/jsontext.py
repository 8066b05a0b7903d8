"""Compact JSON text in chunks, shared by the JSON formats (ClaimReview, DataFeed, NDJSON)."""

import json

import orjson

CHUNK_CHARS = 64 * 1024

_json_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(value):
    """Compact JSON, non-ASCII as is: orjson (several times faster than ``json``, the largest share of an
    export's time), or ``json`` for the text orjson refuses (a lone surrogate SQLite let through)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _json_dumps(value)


def loads(text):
    """A JSON value from ``text``: orjson, or ``json`` for what orjson refuses (a lone surrogate SQLite let through)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def chunks(pieces):
    """Join small strings into chunks of about ``CHUNK_CHARS``: fewer, larger writes."""
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def json_list(head, items, tail):
    """``head``, the JSON of each item, one per line, comma-separated, then ``tail``."""
    yield head
    separator = "\n"
    for item in items:
        yield separator
        yield dumps(item)
        separator = ",\n"
    yield "\n" + tail if separator != "\n" else tail
