"""Optimistic locking: a write names the version it read, and loses nothing if it is stale.

Every versioned model has a ``version`` integer. A client echoes it back in ``If-Match`` (the ETag
the API returned) or as a ``version`` field; the write then moves the row from that version to the
next in one conditional UPDATE, so of two concurrent writers exactly one wins. A write that names no
version is refused (428): it could only be last-writer-wins, which loses someone's change silently.
"""

import re

from django.db.models import F

from factcheck.exceptions import Conflict, PreconditionFailed, PreconditionRequired

ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


class AnyVersion:
    """The caller takes the object as it is now, on purpose: ``If-Match: *``, or a caller that holds no
    one's copy (the admin's delete confirmation). Never the default: it must be passed explicitly."""

    def __repr__(self):
        return "ANY_VERSION"


ANY_VERSION = AnyVersion()


def etag(instance):
    return f'"{instance.version}"'


def if_match_version(request):
    """The version named by an ``If-Match`` header: None when absent, ``ANY_VERSION`` for ``*``; 412
    when unreadable."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    if header.strip() == "*":
        return ANY_VERSION
    match = ETAG.match(header)
    if not match:
        raise PreconditionFailed('If-Match must be the ETag of the resource, e.g. "3".')
    return int(match.group(1))


def bump_version(instance):
    """Give ``instance`` its next version, which the caller's ``save`` writes. Every bump goes through here.

    Only for a row the caller holds locked (``select_for_update``) or has just moved on with
    ``advance_version``, the check for a client's stale copy: no other writer can take the same number.
    """
    instance.version += 1


def expected_version(instance, *, if_match, version, body=True):
    """The version a write to ``instance`` expects (an int, or ``ANY_VERSION``); 428 when it names none.

    ``if_match`` (from the header) and ``version`` (from the body) must agree when both are given.
    ``body=False`` for a request that has no body to carry a ``version`` (DELETE): the 428 then asks
    for the header only.
    """
    if if_match is None and version is None:
        name = type(instance)._meta.verbose_name
        if not body:
            raise PreconditionRequired(
                f"Name the version of this {name} you read: send the If-Match header with its ETag "
                '(e.g. If-Match: "3").'
            )
        raise PreconditionRequired(
            f"Name the version of this {name} you read: send the If-Match header with its ETag "
            f'(e.g. If-Match: "3") or a "version" field in the body.'
        )
    named = [value for value in (if_match, version) if value is not None and value is not ANY_VERSION]
    if len(set(named)) > 1:
        raise Conflict("The If-Match header and the version field name different versions.")
    return named[0] if named else ANY_VERSION


def stale(instance, current, expected, *, if_match):
    """The error for a client whose copy (``expected``) is older than the object (``current``)."""
    model = type(instance)
    if current is None:
        return Conflict(f"This {model._meta.verbose_name} was removed meanwhile.")
    error = PreconditionFailed if isinstance(if_match, int) else Conflict
    return error(
        f"This {model._meta.verbose_name} is at version {current}; your copy is version {expected}. "
        "Fetch it again and reapply your change."
    )


def check_version(instance, *, if_match=None, version=None, body=True):
    """Refuse to act on ``instance`` (held locked, as read now) unless the caller names its version.

    For a change that does not write a new version: deleting. 428 without a version, 412 for a stale
    ``if_match``, 409 for a stale ``version``.
    """
    expected = expected_version(instance, if_match=if_match, version=version, body=body)
    if expected is not ANY_VERSION and expected != instance.version:
        raise stale(instance, instance.version, expected, if_match=if_match)


def advance_version(instance, *, if_match=None, version=None):
    """Move ``instance`` to its next version in the database, or refuse if the client's copy is stale.

    ``if_match`` (from the header) fails with 412, ``version`` (from the body) with 409. With neither,
    428: a caller that means "whatever the version is now" says so with ``ANY_VERSION``. Call inside
    a transaction.
    """
    rows = type(instance).objects.filter(pk=instance.pk)
    expected = expected_version(instance, if_match=if_match, version=version)
    if expected is ANY_VERSION:
        updated = rows.update(version=F("version") + 1)
    else:
        updated = rows.filter(version=expected).update(version=F("version") + 1)
    if not updated:
        raise stale(instance, rows.values_list("version", flat=True).first(), expected, if_match=if_match)
    if expected is ANY_VERSION:
        instance.version = rows.values_list("version", flat=True).get()
    else:
        instance.version = expected
        bump_version(instance)
