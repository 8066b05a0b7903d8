"""Events: what happened to claims and reviews, recorded in the transaction of the change (an outbox).

The workflow (``reviews.workflow``), recurring claims (``reviews.matches``) and, through the
``claims.signals.claims_created`` signal, ``claims.services`` and extraction call ``record`` inside
their transaction, after the change: a rollback leaves no event, a commit always has it, whichever
path made the change (the API, the admin, its bulk actions, the commands, the seed loader).

Types (``EventType``):

- ``claim.created``: a claim was entered or extracted (newsroom only: a candidate is not public);
- ``claim.verified``: a review of the claim was published (first, or a correction), or the claim was
  confirmed as an appearance of a verified claim; recorded for the claim and each of its appearances;
- ``claim.matched``: a claim was confirmed as an appearance of a reviewed claim (newsroom only, as the
  match entries of the history are: readers learn of it through the appearance's ``claim.verified``);
- ``review.submitted``, ``review.returned``: a review went to the editors, or back to its author (newsroom);
- ``review.published``, ``review.superseded``: a review was published, and the one it replaced superseded.

Each event keeps the object as the API showed it at that moment, frozen (what a webhook receiver
expects, as Stripe's and GitHub's events do): ``data`` as reviewers and editors saw it and, for events
about published work, ``public_data`` as everyone else saw it (the published record, no drafts, no
working fields). The API draws these (``register_renderer``), so this module never imports the edge.

Commit order. Ids come from a sequence, and a sequence hands out ids in the order transactions ask,
not the order they commit: a poller that read up to id 7 would skip id 6 if its transaction commits
later. So recording an event first takes a transaction-scoped lock (PostgreSQL advisory lock
``COMMIT_ORDER_LOCK``), held until the transaction ends: the next transaction to record an event
waits for this one to commit (or roll back) before drawing its id. Committed ids therefore grow in
commit order, and the events a reader sees are always every event up to some id (ids of rolled-back
transactions are gaps that never fill). SQLite needs no lock: its transactions take the database's
write lock when they begin (``transaction_mode = IMMEDIATE``), so writers commit one at a time.

The lock is taken last: each step records its events after the row locks it takes, so a transaction
holding it never waits for a row, and two transactions cannot deadlock over it. It serialises only
the end of event-recording transactions (a few milliseconds), one at a time.

The demo data generator (``reviews.demo``) records no events: it writes a made-up past in bulk, which
no client should be told about as news.
"""

from django.db import connection, transaction

from reviews import webhooks
from reviews.models import PUBLIC_EVENT_TYPES, Event, EventType, WebhookDelivery

# Any fixed 64-bit number naming the lock; the same in every process.
COMMIT_ORDER_LOCK = 0x6661637463686B31  # "factchk1"

# Events clients outside the newsroom see (with ``public_data``): those about published work.
PUBLIC_TYPES = PUBLIC_EVENT_TYPES

# Objects drawn (one query for all of them) and events inserted at a time.
BATCH_SIZE = 500

_renderers = {}


def register_renderer(object_type, render):
    """Have ``render(objects, *, public)`` draw ``object_type``'s events: for each of ``objects`` (claims or
    reviews, as stored now), a pair of the API's representations of it, for the newsroom and (with ``public``,
    else None) for everyone else, read from the database once for both.

    The API registers its own (``reviews.api.events``, from ``ReviewsConfig.ready``).
    """
    _renderers[object_type] = render


def _render(object_type, objects, *, public):
    render = _renderers.get(object_type)
    if render is None:  # no API loaded: the object's id is all there is to say
        return [({"id": obj.pk}, {"id": obj.pk} if public else None) for obj in objects]
    return render(objects, public=public)


def take_commit_order_lock():
    """Hold the lock that orders event ids by commit until this transaction ends (PostgreSQL; a no-op elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_ORDER_LOCK])


def record(event_type, objects, *, by=None):
    """Record one ``event_type`` event per object of ``objects`` (claims or reviews), in the caller's transaction.

    ``by`` is the user who made the change (None for the system). Returns the events. Call it inside the
    change's ``transaction.atomic``, after its row locks (see the module's docstring).
    """
    objects = list(objects)
    if not objects:
        return []
    event_type = EventType(event_type)
    object_type = event_type.value.split(".", 1)[0]
    actor = by if by is not None and by.is_authenticated else None
    events = []
    for start in range(0, len(objects), BATCH_SIZE):  # an extraction can create thousands of claims at once
        batch = objects[start : start + BATCH_SIZE]
        shown = _render(object_type, batch, public=event_type in PUBLIC_TYPES)
        events += [
            Event(
                type=event_type,
                actor=actor,
                object_type=object_type,
                object_id=obj.pk,
                data=data,
                public_data=public_data,
            )
            for obj, (data, public_data) in zip(batch, shown, strict=True)
        ]
    # In the caller's transaction (no savepoint: nothing to undo apart), or one of its own if it has none, so
    # that the lock is held until the events commit.
    with transaction.atomic(savepoint=False):
        take_commit_order_lock()
        events = Event.objects.bulk_create(events, batch_size=BATCH_SIZE)
        webhooks.fan_out(events)  # the deliveries and their jobs, written with the events
        return events


def prune(*, before, batch_size=5000):
    """Delete the events recorded before ``before``, but none a webhook delivery still waits to send (with
    them go their finished deliveries). Returns how many events were deleted.

    The feed goes on working for a poller whose last id was pruned: ``after`` may name any id below the
    oldest event left.
    """
    waiting = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).values("event_id")
    old = Event.objects.filter(created_at__lt=before).exclude(pk__in=waiting).order_by("pk")
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:batch_size]):
        deleted += Event.objects.filter(pk__in=batch).delete()[1].get("reviews.Event", 0)
    return deleted


def record_claims_created(sender, *, claims, by=None, **kwargs):
    """``claims.signals.claims_created`` receiver: ``claim.created`` for each new claim."""
    record(EventType.CLAIM_CREATED, claims, by=by)
