"""The change history of a claim, its reviews and their evidence, as one time-ordered list.

Rows come from django-simple-history; each entry lists the fields that changed (old → new)
compared with the previous row of the same object. Entries a user may not see (drafts of other
reviewers; anything unpublished, for the public) are left out.
"""

from operator import itemgetter

from rest_framework import serializers

from factcheck.roles import is_editor, is_newsroom

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
IGNORED_FIELDS = {"updated_at", "created_at", "version", "content_hash"}


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    model = serializers.ChoiceField(choices=["claim", "review", "evidence"])
    object_id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=list(ACTIONS.values()))
    reason = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _value(row, field):
    if field == "tags":
        return row.tag_names
    return _plain(getattr(row, field))


def _entries(rows, model_name, fields):
    """Turn one model's history rows (ordered per object, oldest first) into entries with diffs.

    Rows that change nothing visible (simple-history writes one per step of an m2m update) are
    left out.
    """
    previous = {}
    entries = []
    for row in rows:
        before = previous.get(row.id)
        changes = []
        for field in fields:
            new = _value(row, field)
            old = _value(before, field) if before is not None else None
            if before is None and row.history_type == "+":
                if new not in (None, "", []):
                    changes.append({"field": field, "old": None, "new": new})
            elif old != new:
                changes.append({"field": field, "old": old, "new": new})
        previous[row.id] = row
        if not changes and row.history_type == "~":
            continue
        entries.append(
            {
                "at": row.history_date,
                "user": row.history_user.username if row.history_user_id else None,
                "model": model_name,
                "object_id": row.id,
                "action": ACTIONS.get(row.history_type, "changed"),
                "reason": row.history_change_reason,
                "changes": changes,
                "_history_id": row.history_id,
            }
        )
    return entries


def _tracked_fields(model):
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname not in IGNORED_FIELDS and field.attname != "id"
    ]


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


def claim_history(claim, *, user):
    """All history entries visible to ``user`` for ``claim``, oldest first, in a fixed number of queries."""
    from claims.models import Claim
    from reviews.models import Evidence, Review

    claim_rows = Claim.history.filter(id=claim.pk).select_related("history_user").order_by("history_date", "history_id")
    claim_rows = list(claim_rows)
    _attach_tag_names(claim_rows)
    review_rows = list(
        Review.history.filter(claim_id=claim.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    if not is_editor(user):
        if is_newsroom(user):
            hidden = {row.id for row in review_rows if row.state == "draft" and row.author_id != user.pk}
            # Other reviewers' drafts stay hidden until the review has been submitted.
            shown = {row.id for row in review_rows if row.state != "draft"}
            hidden -= shown
            review_rows = [row for row in review_rows if row.id not in hidden]
        else:
            public = {row.id for row in review_rows if row.state in ("published", "superseded")}
            review_rows = [row for row in review_rows if row.id in public and row.state in ("published", "superseded")]
    review_ids = {row.id for row in review_rows}
    evidence_rows = (
        Evidence.history.filter(review_id__in=review_ids)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = (
        _entries(claim_rows, "claim", [*_tracked_fields(Claim), "tags"])
        + _entries(review_rows, "review", _tracked_fields(Review))
        + _entries(evidence_rows, "evidence", _tracked_fields(Evidence))
    )
    entries.sort(key=itemgetter("at", "_history_id"))
    return entries
