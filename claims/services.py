"""The rules about articles and claims, in one place, as ``reviews/workflow.py`` holds those of reviews.

The API, the admin, the management commands and the seed loader call these functions. Each takes
keyword arguments, checks the rules, writes in a transaction, records who did it (and why) in the
history, and returns what it wrote. A broken rule is a Django ``ValidationError`` naming the field,
which the API answers with a 400 of the same shape; a stale version is a 409 or 412
(``factcheck.concurrency``).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from claims import claimants, extraction, matching, signals
from claims.models import ARTICLE_BODY_MAX_CHARS, Article, Claim, Tag, compute_content_hash
from claims.validators import http_url, locate_quote, validate_span
from factcheck.concurrency import advance_version, bump_version
from factcheck.roles import ROLES, is_editor, is_newsroom

ARTICLE_FIELDS = ("title", "url", "publisher", "author", "published_at", "language", "body")
CLAIM_FIELDS = (
    "quote",
    "start",
    "end",
    "claim_reviewed",
    "claimant",
    "claimant_entity",
    "claimed_at",
    "check_worthiness",
    "status",
    "assignee",
)
# Raised by ``extract_claims`` and ``check_worthiness``: the text took longer than its time budget
# (nothing was stored); the text is in a language extraction does not read (``extraction.SUPPORTED_LANGUAGES``).
ExtractionTimeout = extraction.ExtractionTimeout
UnsupportedLanguage = extraction.UnsupportedLanguage
# Statuses people may set by hand; ``in_review`` and ``verified`` follow from the claim's reviews.
MANUAL_STATUSES = {Claim.Status.CANDIDATE, Claim.Status.ACCEPTED, Claim.Status.DISMISSED}


def _record(instance, *, by, reason):
    """Name who made the change and why in the history record the next ``save`` writes."""
    instance._history_user = by if by is not None and by.is_authenticated else None
    instance._change_reason = reason


def check_claim_change(claim, changed, *, by=None):
    """Refuse (by raising) a change of the fields named in ``changed`` if an app built on ``claims`` forbids it.

    Sends ``signals.claim_changing`` (``reviews`` refuses edits of a verified claim's published record
    outside a correction). ``update_claim`` calls it; the admin's form also does, to refuse before saving.
    """
    if changed:
        signals.claim_changing.send(sender=Claim, instance=claim, changed=frozenset(changed), by=by)


def check_article_change(article, changed, *, by=None):
    """Refuse (by raising) a change of the fields named in ``changed`` (``signals.article_changing``)."""
    if changed:
        signals.article_changing.send(sender=Article, instance=article, changed=frozenset(changed), by=by)


# --- Articles -----------------------------------------------------------------------------------


def stored_article(body):
    """The article already holding this text (after line-end normalisation), or None: same body, same article."""
    return Article.objects.filter(content_hash=compute_content_hash(body)).first()


def ignored_metadata(article, posted):
    """The names of the fields of ``posted`` (title, url, … as a client sent them for the same body) that
    differ from the stored ``article``: what re-posting a stored body does not apply, so the client can be
    told (values as validated: the API refuses a re-post it cannot read with a 400)."""
    ignored = []
    for name in ARTICLE_FIELDS:
        if name == "body" or name not in posted:
            continue
        value, stored = posted[name], getattr(article, name)
        if name == "url":
            value, stored = value or None, stored or None
        if value != stored:
            ignored.append(name)
    return ignored


def check_url_free(url, *, article=None):
    """Refuse a url that another article than ``article`` already has."""
    if not url:
        return
    clash = Article.objects.filter(url=url)
    if article is not None:
        clash = clash.exclude(pk=article.pk)
    if clash.exists():
        raise ValidationError({"url": "Another article already has this url."})


def check_body(body, *, article=None):
    """Refuse an empty body, any change to the body of an article that has claims, and a change to
    another article's body (the content hash is unique: the database would refuse it).

    Claims' offsets point into the body, so it is frozen once the first claim is taken from it.
    """
    if not body.strip():
        raise ValidationError({"body": "The article body is empty."})
    if article is not None and article.pk and body != article.body and article.claims.exists():
        raise ValidationError(
            {"body": "The body cannot change once claims have been taken from it: their offsets point into it."}
        )
    if article is not None and article.pk and body != article.body:
        other = Article.objects.filter(content_hash=compute_content_hash(body)).exclude(pk=article.pk).first()
        if other is not None:
            raise ValidationError({"body": f"Article {other.pk} already has this body (after line-end normalisation)."})


def _in_api_words(error):
    """The message of one of the model's field errors, worded as the API words it (DRF's wording)."""
    if error.code == "blank":
        return "This field may not be blank."
    if error.code == "max_length":
        return f"Ensure this field has no more than {error.params['limit_value']} characters."
    return error.messages[0]


def _validate_article(article, fields, *, original=None):
    """Check ``fields`` of ``article``: the model's own validation, then the rules above, all errors at once.

    The messages are the API's, so that the command and the API refuse the same input the same way.
    """
    errors = {}
    try:
        # The url is checked below with ``http_url`` alone: the model field's generic URL check would
        # add a second message for the same fault.
        article.full_clean(
            exclude=[name for name in ARTICLE_FIELDS if name not in fields or name == "url"]
            + ["content_hash", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors = {name: [_in_api_words(error) for error in found] for name, found in exc.error_dict.items()}
    limits = {"url": Article._meta.get_field("url").max_length, "body": ARTICLE_BODY_MAX_CHARS}
    for name, limit in limits.items():
        value = getattr(article, name) if name in fields else None
        if value and len(value) > limit:
            errors.setdefault(name, []).append(f"Ensure this field has no more than {limit} characters.")
    if "url" in fields and article.url and "url" not in errors:
        try:
            http_url(article.url)
        except ValidationError as exc:
            errors["url"] = exc.messages
    for name, check in (("url", check_url_free), ("body", check_body)):
        if name in fields and name not in errors:
            try:
                check(getattr(article, name), article=original)
            except ValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise ValidationError({name: errors[name] for name in ARTICLE_FIELDS if name in errors})


def ingest_article(*, title, body, url=None, publisher="", author="", published_at=None, language="en", by=None):
    """The article with this body: the one already stored, or a new one. Returns ``(article, created)``.

    The same text ingested twice is one article (its content hash is unique); the stored one is
    returned unchanged, whatever the other fields say (``ignored_metadata`` names those that differ).
    A new article is validated in full first.
    Extraction is a separate step (``extract_claims``), run after this transaction has committed.
    """
    existing = stored_article(body)
    if existing is not None:
        return existing, False
    article = Article(
        title=title,
        url=url or None,
        publisher=publisher,
        author=author,
        published_at=published_at,
        language=language,
        body=body,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    _validate_article(article, ARTICLE_FIELDS)
    with transaction.atomic():
        article.save()
    return article, True


@transaction.atomic
def update_article(article, *, by=None, **changes):
    """Apply ``changes`` (any of ``ARTICLE_FIELDS``) to ``article``; the body stays frozen once it has claims.

    A change that alters nothing writes nothing. Apps may refuse the change (``check_article_change``).
    """
    unknown = set(changes) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    if "url" in changes:
        changes["url"] = changes["url"] or None
    changes = {field: value for field, value in changes.items() if value != getattr(article, field)}
    if not changes:
        return article
    check_article_change(article, changes, by=by)
    original = Article(pk=article.pk, body=article.body)
    for field, value in changes.items():
        setattr(article, field, value)
    _validate_article(article, changes, original=original)
    article.save()
    return article


def extract_claims(article, *, by=None, time_limit=None):
    """Store the article's proposed candidate claims; return the claims created.

    Idempotent: nothing is proposed twice. Raises ``ExtractionTimeout``, having stored nothing, when
    the text takes longer than ``time_limit`` seconds (default ``FACTCHECK_EXTRACTION_TIME_LIMIT``; a
    background job allows more), and ``UnsupportedLanguage`` when the article is in a language
    extraction does not read. Call it outside any transaction that
    created the article: analysing a text may take seconds, and on SQLite an open write transaction
    holds every other writer.
    """
    created = extraction.extract_claims(article, by=by, time_limit=time_limit)
    matching.suggest_matches(created)  # after the claims are stored: a lookup per claim, each cheap
    return created


def check_worthiness(*, sentences=None, text=None, language="en"):
    """Score ``sentences`` (each whole) or every sentence of ``text`` (as an article is split); store nothing.

    Returns one ``extraction.Candidate`` per sentence given, or per sentence or clause of ``text`` with
    offsets into it as given, proposed or not. Raises ``UnsupportedLanguage`` for a language extraction
    does not read and ``ExtractionTimeout`` past ``FACTCHECK_EXTRACTION_TIME_LIMIT`` seconds.
    """
    extraction.check_language(language)
    time_limit = settings.FACTCHECK_EXTRACTION_TIME_LIMIT
    if sentences is not None:
        return extraction.score_sentences(sentences, time_limit=time_limit)
    return extraction.analyse(text, time_limit=time_limit, every=True)


# --- Claims -------------------------------------------------------------------------------------


def check_status_change(claim, new_status, *, by):
    """Refuse unless ``by`` may move ``claim`` (None for a new claim) to ``new_status`` by hand.

    ``in_review`` and ``verified`` follow from the claim's reviews and are never set by hand; a claim
    with a review in progress or published keeps its derived status; only editors dismiss.
    """
    current = claim.status if claim is not None else Claim.Status.CANDIDATE
    if new_status == current:
        return
    if new_status not in MANUAL_STATUSES:
        raise ValidationError({"status": f"'{new_status}' follows from the claim's reviews and cannot be set by hand."})
    if current in (Claim.Status.IN_REVIEW, Claim.Status.VERIFIED):
        raise ValidationError({"status": f"This claim is {current}; its status follows its reviews."})
    if new_status == Claim.Status.DISMISSED and not is_editor(by):
        raise ValidationError({"status": "Only editors may dismiss a claim."})


def _place(claim, *, article, quote, start, end, locate):
    """Set the claim's span: from ``start``/``end``, or (``locate``) from the only occurrence of ``quote``.

    The quote is always what the span covers, and no two claims of an article share a span.
    """
    if locate:
        start, end = locate_quote(article.body, quote)
    claim.quote = validate_span(article.body, start, end, quote)
    claim.start, claim.end = start, end
    clash = Claim.objects.filter(article=article, start=start, end=end)
    if claim.pk is not None:
        clash = clash.exclude(pk=claim.pk)
    if clash.exists():
        raise ValidationError({"start": "The article already has a claim at this position."})


def _set_tags(claim, tags):
    if tags is not None:
        claim.tags.set(Tag.objects.for_names(tags))
        claim.__dict__.pop("tag_names", None)


@transaction.atomic
def create_claim(
    *,
    article,
    quote=None,
    start=None,
    end=None,
    claim_reviewed="",
    claimant="",
    claimant_entity=None,
    claimed_at=None,
    check_worthiness=0.5,
    status=Claim.Status.CANDIDATE,
    tags=None,
    by=None,
    reason=None,
):
    """Take a claim from ``article`` at ``start``/``end``, or where ``quote`` occurs once; return it.

    ``claimed_at`` defaults to the day the article was published; ``status`` is checked as triage
    would check it (``check_status_change``). The claimant is ``claimant_entity`` or the one the name
    ``claimant`` resolves to (``claims.claimants.resolve``: found by its normalised name, else created);
    the claim shows its name.
    """
    claimant, claimant_entity = claimants.claimant_for_claim(name=claimant, entity=claimant_entity, by=by)
    claim = Claim(
        article=article,
        claim_reviewed=claim_reviewed,
        claimant=claimant,
        claimant_entity=claimant_entity,
        claimed_at=claimed_at if claimed_at is not None else article.published_on,
        check_worthiness=check_worthiness,
        status=status,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    span_given = start is not None or end is not None
    _place(claim, article=article, quote=quote, start=start, end=end, locate=quote is not None and not span_given)
    check_status_change(None, status, by=by)
    _record(claim, by=by, reason=reason)
    claim.save()
    _set_tags(claim, tags)
    signals.claims_created.send(sender=Claim, claims=[claim], by=by)
    matching.suggest_matches([claim])
    return claim


@transaction.atomic
def update_claim(claim, *, by, if_match=None, version=None, tags=None, reason=None, **changes):
    """Apply ``changes`` (any of ``CLAIM_FIELDS``) and ``tags`` to ``claim``, refusing a stale copy.

    ``if_match`` (a header's version) or ``version`` (the body's) names the version the caller read:
    412 or 409 when the claim has moved on since, 428 with neither (``advance_version``). The claim
    is changed as it is now, locked, not as the caller read it: its status and verdict may have
    followed a review published meanwhile. Once the input is valid, apps may refuse the fields it
    actually changes (``check_claim_change``). A check-worthiness set by hand to another value clears
    the reasons extraction gave for its own score.
    """
    unknown = set(changes) - set(CLAIM_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if "claimant" in changes or "claimant_entity" in changes:
        # A name resolves to its claimant; an entity shows its name; neither (null, "") unlinks.
        changes["claimant"], changes["claimant_entity"] = claimants.claimant_for_claim(
            name=changes.get("claimant"), entity=changes.get("claimant_entity"), by=by
        )
    placed = Claim(pk=claim.pk)  # the new span, worked out without touching the claim yet
    _place(
        placed,
        article=claim.article,
        quote=changes.get("quote"),
        start=changes.get("start", claim.start),
        end=changes.get("end", claim.end),
        locate=False,
    )
    if "status" in changes:
        check_status_change(claim, changes["status"], by=by)
    if "assignee" in changes:
        check_assignment(claim, changes["assignee"], by=by)
    after = {**changes, "quote": placed.quote, "start": placed.start, "end": placed.end}
    check_claim_change(claim, {field for field, value in after.items() if value != getattr(claim, field)}, by=by)
    claim.quote, claim.start, claim.end = placed.quote, placed.start, placed.end
    advance_version(claim, if_match=if_match, version=version)
    if "check_worthiness" in changes and changes["check_worthiness"] != claim.check_worthiness:
        claim.check_worthiness_reasons = []  # they explained the extractor's score, not this one
    for field in (
        "claim_reviewed",
        "claimant",
        "claimant_entity",
        "claimed_at",
        "check_worthiness",
        "status",
        "assignee",
    ):
        if field in changes:
            setattr(claim, field, changes[field])
    _record(claim, by=by, reason=reason)
    claim.save()
    _set_tags(claim, tags)
    return claim


def check_triage(claim, status, *, by):
    """Refuse (by raising) unless ``by`` may triage ``claim`` to ``status``: reviewers and editors, as
    ``check_status_change`` allows. PermissionDenied (403) outside the newsroom, ValidationError (400) otherwise."""
    if not is_newsroom(by):
        raise PermissionDenied("Only reviewers and editors may triage claims.")
    check_status_change(claim, status, by=by)


def may_triage(claim, status, *, by):
    """Whether ``by`` may move ``claim`` to another ``status`` by triage now (for pages offering only the steps
    a user may take): ``check_triage`` admits it and the claim is not in that status already."""
    if claim.status == status:
        return False
    try:
        check_triage(claim, status, by=by)
    except (PermissionDenied, ValidationError):
        return False
    return True


@transaction.atomic
def triage(claim, *, status, by):
    """Set the claim's status by hand (``check_triage`` says who may); recorded in the history.

    Judged and written on the claim as it is now, locked: a review may have started meanwhile.
    """
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    check_triage(claim, status, by=by)
    claim.status = status
    bump_version(claim)
    _record(claim, by=by, reason=f"triaged as {status}")
    claim.save(update_fields=["status", "version", "updated_at"])
    return claim


def assignable_users():
    """The users a claim may be assigned to: active reviewers, editors and superusers, by username."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name__in=ROLES), is_active=True)
        .distinct()
        .order_by(get_user_model().USERNAME_FIELD)
    )


def check_assignment(claim, assignee, *, by):
    """Refuse (by raising) unless ``by`` may make ``assignee`` (a user, or None to unassign) ``claim``'s assignee.

    Editors assign, reassign and unassign anyone; a reviewer takes an unassigned claim (assigns it to
    themselves) and releases their own. The assignee must be an active reviewer or editor. Judged on
    ``claim`` as the caller holds it: ``assign_claim`` and ``update_claim`` pass it locked.
    PermissionDenied (403) for a step the user may not take, ValidationError (400) for a wrong assignee.
    """
    if not is_newsroom(by):
        raise PermissionDenied("Only reviewers and editors may assign claims.")
    current = claim.assignee_id
    wanted = assignee.pk if assignee is not None else None
    if wanted == current:
        return
    if assignee is not None and not (assignee.is_active and is_newsroom(assignee)):
        raise ValidationError({"assignee": f"{assignee.get_username()} is not an active reviewer or editor."})
    if is_editor(by):
        return
    if current is not None and current != by.pk:
        raise PermissionDenied(
            f"This claim is assigned to {claim.assignee.get_username()}; only an editor may reassign it."
        )
    if wanted is not None and wanted != by.pk:
        raise PermissionDenied("Only editors assign claims to others; you may take an unassigned claim yourself.")


def may_assign(claim, assignee, *, by):
    """Whether ``check_assignment`` admits the change (for pages offering only the steps a user may take)."""
    try:
        check_assignment(claim, assignee, by=by)
    except (PermissionDenied, ValidationError):
        return False
    return True


@transaction.atomic
def assign_claim(claim, *, assignee, by, reason=None):
    """Make ``assignee`` (a user, or None) the claim's assignee, as ``check_assignment`` allows; return the claim.

    Judged and written on the claim as it is now, locked: of two reviewers taking the same claim at
    once, the second is refused (it is no longer unassigned). No client version is needed: the
    claim's content does not change, only who works on it (its version still moves on, so ETags do).
    Recorded in the history with who did it.
    """
    # The claim's row alone, without joining its assignee: PostgreSQL refuses FOR UPDATE on the nullable side
    # of an outer join, and a join read before waiting for the lock would name the assignee as it was then.
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    check_assignment(claim, assignee, by=by)
    if claim.assignee_id == (assignee.pk if assignee is not None else None):
        return claim
    claim.assignee = assignee
    bump_version(claim)
    if reason is None:
        if assignee is None:
            reason = "unassigned"
        elif by is not None and assignee.pk == by.pk:
            reason = "taken"
        else:
            reason = f"assigned to {assignee.get_username()}"
    _record(claim, by=by, reason=reason)
    claim.save(update_fields=["assignee", "version", "updated_at"])
    return claim
