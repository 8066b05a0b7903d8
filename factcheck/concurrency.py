"""Optimistic locking: a write names the version it read, and loses nothing if it is stale.

Every versioned model has a ``version`` integer. A client echoes it back in ``If-Match`` (the ETag
the API returned) or as a ``version`` field; the write then moves the row from that version to the
next in one conditional UPDATE, so of two concurrent writers exactly one wins.
"""

import re

from django.db.models import F

from factcheck.exceptions import Conflict, PreconditionFailed

ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def etag(instance):
    return f'"{instance.version}"'


def if_match_version(request):
    """The version named by an ``If-Match`` header, None when absent; 412 when unreadable."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
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


def advance_version(instance, *, if_match=None, version=None):
    """Move ``instance`` to its next version in the database, or refuse if the client's copy is stale.

    ``if_match`` (from the header) fails with 412, ``version`` (from the body) with 409. With neither,
    the write proceeds (last writer wins, as the client asked for no check). Call inside a transaction.
    """
    model = type(instance)
    rows = model.objects.filter(pk=instance.pk)
    if if_match is not None and version is not None and if_match != version:
        raise Conflict("The If-Match header and the version field name different versions.")
    expected = if_match if if_match is not None else version
    if expected is None:
        updated = rows.update(version=F("version") + 1)
    else:
        updated = rows.filter(version=expected).update(version=F("version") + 1)
    if not updated:
        current = rows.values_list("version", flat=True).first()
        if current is None:
            raise Conflict(f"This {model._meta.verbose_name} was removed meanwhile.")
        error = PreconditionFailed if if_match is not None else Conflict
        raise error(
            f"This {model._meta.verbose_name} is at version {current}; your copy is version {expected}. "
            "Fetch it again and reapply your change."
        )
    if expected is None:
        instance.version = rows.values_list("version", flat=True).get()
    else:
        instance.version = expected
        bump_version(instance)
