"""The change history of a claim, its reviews and their evidence, as one time-ordered list.

Rows come from django-simple-history; each entry lists the fields that changed (old → new)
compared with the previous row of the same object that the reader may see.

Two audiences, each with an allow-list of fields per model (a field not listed is never shown):

- the newsroom (reviewers, editors) sees who changed what. Editors see every review; reviewers see
  the reviews the review API shows them (``Review.objects.visible_to``), judged on each review as
  it is now, so another reviewer's draft stays out for its whole life, also the time it spent
  submitted before it was returned;
- everyone else sees only the published record: reviews from their publication on (published, then
  superseded), the evidence those reviews had when they were published, and of the claim itself, while
  it is verified, its status, verdict and tags. Never who made a change. What readers see of the claim
  and its article (``reviews.record``) changes only when an editor publishes a review, so edits of the
  claim's wording, quote, claimant or date, even made during a correction, stay out until then.

The newsroom also sees the ``match`` entries of recurring claims (``reviews.matches``): each suggestion,
confirmation, rejection or undoing that concerns the claim, as the appearance or as the reviewed claim.

Both audiences get a ``record`` entry at each publication (``object_id``: the review): the first shows
the published record (the claim's and its article's fields as readers see them), each later one, a
correction, what it changed for readers (``Review.correction``: record fields, verdict, summary, evidence).

It composes both apps, so it lives here, on the reviews side: ``claims`` knows nothing of reviews. The API
serves it at ``claims/{id}/history/`` (``reviews/api/views.py``, ``HistoryEntrySerializer``).
"""

import datetime
from operator import itemgetter

from django.db.models import Q

from claims.models import Claim, ClaimMatch
from factcheck.roles import is_editor, is_newsroom
from reviews import record
from reviews.models import Evidence, Review

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}

# What readers see of a verified claim, its published reviews and their evidence. The claim's record
# fields (``record.CLAIM_FIELDS``) reach them through the ``record`` entries, never from the live row.
PUBLIC_FIELDS = {
    "claim": ("article_id", "status", "verdict", "tags"),
    "review": ("verdict", "rating_text", "summary", "state", "published_at"),
    "evidence": (
        "review_id",
        "url",
        "title",
        "publisher",
        "quote",
        "stance",
        "source_type",
        "published_at",
        "accessed_at",
        "archive_url",
    ),
}
# The newsroom also sees the triage score, who a claim is assigned to (by username), the editor's return
# comment and when a review was submitted. No user ids for anyone: the entry's ``user`` already says who
# (author, publisher, who added evidence).
NEWSROOM_FIELDS = {
    "claim": (
        "article_id",
        "quote",
        "start",
        "end",
        "claim_reviewed",
        "claimant",
        "claimed_at",
        "status",
        "verdict",
        "tags",
        "check_worthiness",
        "assignee",
    ),
    "review": (*PUBLIC_FIELDS["review"], "editor_comment", "submitted_at"),
    "evidence": PUBLIC_FIELDS["evidence"],
    # Recurring claims (reviews.matches): the suggestions and decisions about the claim as an appearance, and
    # about the claims matched to it. Working data: readers see a match through the claim's status only.
    "match": ("claim_id", "reviewed_claim_id", "state", "score"),
}


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _value(row, field):
    if field == "tags":
        return row.tag_names
    if field == "assignee":  # by username, read with the rows (claim_history); a deleted user's id as "#<id>"
        if row.assignee_id is None:
            return None
        return row.assignee.get_username() if row.assignee is not None else f"#{row.assignee_id}"
    return _plain(getattr(row, field))


def _changes(row, before, fields):
    """The allow-listed fields that differ between ``before`` (None: nothing shown yet) and ``row``."""
    if before is None:
        return [{"field": f, "old": None, "new": new} for f in fields if (new := _value(row, f)) not in (None, "", [])]
    changes = []
    for field in fields:
        old, new = _value(before, field), _value(row, field)
        if old != new:
            changes.append({"field": field, "old": old, "new": new})
    return changes


def _entry(row, model_name, changes, *, show_user):
    return {
        "at": row.history_date,
        "user": row.history_user.username if show_user and row.history_user_id else None,
        "model": model_name,
        "object_id": row.id,
        "action": ACTIONS.get(row.history_type, "changed"),
        "reason": row.history_change_reason,
        "changes": changes,
        "_order": (row.history_date, row.history_id, 0),
    }


def _entries(rows, model_name, fields, *, show_user, shown=None):
    """Entries for one model's rows (oldest first), each compared with the object's previous row.

    ``shown`` maps object ids to the row a reader last saw of them, when that came from elsewhere.
    Rows that change no listed field (simple-history writes one per step of an m2m update) are left out.
    """
    previous = dict(shown or {})
    entries = []
    for row in rows:
        changes = _changes(row, previous.get(row.id), fields)
        previous[row.id] = row
        if changes or row.history_type != "~":
            entries.append(_entry(row, model_name, changes, show_user=show_user))
    return entries


def _attach_tag_names(claim_rows):
    """Give each historical claim row the sorted names of the tags it had (one query)."""
    through = claim_rows[0]._meta.get_field("historicalclaim_tags").related_model if claim_rows else None
    names = {row.history_id: [] for row in claim_rows}
    if through is not None:
        pairs = through.objects.filter(history_id__in=names).values_list("history_id", "tag__name")
        for history_id, name in pairs:
            if name is not None:
                names[history_id].append(name)
    for row in claim_rows:
        row.tag_names = sorted(names[row.history_id])


def _published_evidence_entries(review_rows, evidence_rows):
    """The evidence of published reviews as readers saw it.

    At a review's publication, each piece it then had (its last row before that moment), with the
    publication's time; after it, every change. Evidence edited or deleted before publication shows
    only as it was published, or not at all. A review never leaves the published record once in it
    (published → superseded), so its publication is its first public row.
    """
    publication = {}
    for row in review_rows:
        publication.setdefault(row.id, row)
    as_published, later = {}, []
    for row in evidence_rows:
        if row.history_date < publication[row.review_id].history_date:
            as_published[row.id] = row
        else:
            later.append(row)
    as_published = {pk: row for pk, row in as_published.items() if row.history_type != "-"}
    entries = []
    for row in as_published.values():
        review_row = publication[row.review_id]
        entry = _entry(row, "evidence", _changes(row, None, PUBLIC_FIELDS["evidence"]), show_user=False)
        # Readers first saw it with the review, whatever its drafts were.
        entry.update(
            at=review_row.history_date,
            action=ACTIONS["+"],
            reason="published",
            _order=(review_row.history_date, review_row.history_id, 1),
        )
        entries.append(entry)
    return entries + _entries(later, "evidence", PUBLIC_FIELDS["evidence"], show_user=False, shown=as_published)


# What a ``record`` entry may list: the record's fields, then what readers see of the review itself.
RECORD_ENTRY_FIELDS = (
    *record.CLAIM_FIELDS,
    *(f"article.{name}" for name in record.ARTICLE_FIELDS),
    *record.REVIEW_FIELDS,
    "evidence",
)


def record_fields(snapshot):
    """A published record (``record.snapshot``) as ``{field: value}``, article fields as ``article.<name>``."""
    fields = {name: snapshot[name] for name in record.CLAIM_FIELDS}
    fields.update({f"article.{name}": snapshot["article"][name] for name in record.ARTICLE_FIELDS})
    return fields


def _record_entries(review_rows, *, show_user):
    """One entry per publication among ``review_rows``: the record it published, or what it corrected."""
    publications = {}
    for row in review_rows:
        if row.state == Review.State.PUBLISHED and row.id not in publications:
            publications[row.id] = row
    if not publications:
        return []
    published = Review.objects.filter(pk__in=publications, record__isnull=False).order_by("published_at", "pk")
    entries, first = [], True
    for review_id, snapshot, correction in published.values_list("pk", "record", "correction"):
        row = publications[review_id]
        if first:
            changes = [
                {"field": name, "old": None, "new": value}
                for name, value in record_fields(snapshot).items()
                if value not in (None, "")
            ]
            reason = f"published with review {review_id}"
        else:
            changes, reason = list(correction), f"corrected by review {review_id}"
        first = False
        entry = _entry(row, "record", changes, show_user=show_user)
        entry.update(action=ACTIONS["~"], reason=reason, _order=(row.history_date, row.history_id, 2))
        entries.append(entry)
    return entries


def claim_history(claim, *, user):
    """All history entries visible to ``user`` for ``claim``, oldest first, in a fixed number of queries."""
    newsroom = is_newsroom(user)
    fields = NEWSROOM_FIELDS if newsroom else PUBLIC_FIELDS

    def rows(history, **lookups):
        queryset = history.filter(**lookups).order_by("history_date", "history_id")
        return list(queryset.select_related("history_user") if newsroom else queryset)

    if not newsroom:
        # The public sees a claim while it is verified (``Claim.objects.visible_to``), only the fields outside
        # its record (``PUBLIC_FIELDS``), and reviews once published.
        claim_rows = rows(Claim.history, id=claim.pk, status=Claim.Status.VERIFIED)
        review_rows = rows(
            Review.history, claim_id=claim.pk, state__in=[Review.State.PUBLISHED, Review.State.SUPERSEDED]
        )
    else:
        claim_rows = rows(Claim.history.select_related("assignee"), id=claim.pk)
        if is_editor(user):
            review_rows = rows(Review.history, claim_id=claim.pk)
        else:
            visible = Review.objects.filter(claim_id=claim.pk).visible_to(user).values("pk")
            review_rows = rows(Review.history, claim_id=claim.pk, id__in=visible)
    _attach_tag_names(claim_rows)
    evidence_rows = rows(Evidence.history, review_id__in={row.id for row in review_rows})

    entries = _entries(claim_rows, "claim", fields["claim"], show_user=newsroom)
    entries += _entries(review_rows, "review", fields["review"], show_user=newsroom)
    entries += _record_entries(review_rows, show_user=newsroom)
    if newsroom:
        entries += _entries(evidence_rows, "evidence", fields["evidence"], show_user=True)
        match_rows = ClaimMatch.history.filter(Q(claim_id=claim.pk) | Q(reviewed_claim_id=claim.pk))
        match_rows = list(match_rows.select_related("history_user").order_by("history_date", "history_id"))
        entries += _entries(match_rows, "match", fields["match"], show_user=True)
    else:
        entries += _published_evidence_entries(review_rows, evidence_rows)
    entries.sort(key=itemgetter("_order"))
    return entries
