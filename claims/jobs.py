"""Background jobs of the claims app: extracting a long article, storing a large ClaimReview import.

Both are safe to run more than once (``factcheck.jobs`` runs a job at least once): extraction never
proposes the same span twice, and an import stores each fact-check by its ``url``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model

from claims import claimreview_import, extraction, services
from claims.models import Article, Claim
from factcheck.jobs import JobFailed, job


def user_id(user):
    """A job's arguments are JSON: the user who acts, by id."""
    return user.pk if user is not None and user.is_authenticated else None


def user_named(pk):
    """The user a job acts as (None when none, or the account is gone: the work is still done)."""
    return get_user_model().objects.filter(pk=pk).first() if pk is not None else None


def extracts_in_background(article):
    """Whether extracting ``article`` takes long enough to leave to a job (FACTCHECK_EXTRACTION_INLINE_CHARS)."""
    return len(article.body) > settings.FACTCHECK_EXTRACTION_INLINE_CHARS


def start_extraction(article, *, by):
    """Queue the extraction of ``article``'s candidate claims; return the job.

    Raises ``UnsupportedLanguage`` at once, queueing nothing, for an article in a language extraction
    does not read: the client hears it now rather than from a failed job.
    """
    extraction.check_language(article.language)
    return extract_article.enqueue(article=article.pk, user=user_id(by), by=by)


# A job is not bound by a request's timeout: it gives up only on a text that takes minutes (ReDoS-like input).
EXTRACTION_TIME_LIMIT = 300


@job("claims.extract_article", max_attempts=3, lease=timedelta(minutes=15))
def extract_article(*, article, user=None):
    """Extract the article's candidate claims (as ``POST articles/{id}/extract/`` does inline)."""
    stored = Article.objects.filter(pk=article).first()
    if stored is None:
        raise JobFailed(f"Article {article} no longer exists.")
    try:
        created = services.extract_claims(stored, by=user_named(user), time_limit=EXTRACTION_TIME_LIMIT)
    except (services.ExtractionTimeout, services.UnsupportedLanguage) as exc:
        raise JobFailed(f"No claims were extracted: {exc}") from exc
    return {
        "article": stored.pk,
        "created": len(created),
        "claims": Claim.objects.filter(article=stored).count(),
    }


def imports_in_background(size):
    """Whether an import of ``size`` bytes is left to a job (FACTCHECK_IMPORT_INLINE_BYTES)."""
    return size > settings.FACTCHECK_IMPORT_INLINE_BYTES


def start_import(document, *, by, skip_invalid=False):
    """Queue the import of ``document`` (JSON-LD, already parsed); return the job."""
    return import_claim_reviews.enqueue(document=document, skip_invalid=skip_invalid, user=user_id(by), by=by)


@job("claims.import_claimreview", max_attempts=3, lease=timedelta(minutes=10))
def import_claim_reviews(*, document, skip_invalid=False, user=None):
    """Store the ClaimReviews of ``document`` (as ``POST imports/claimreview/`` does inline); the report.

    A document of which nothing could be stored fails the job, with the report as its result.
    """
    try:
        report = claimreview_import.import_claim_reviews(
            [("", document)], by=user_named(user), skip_invalid=skip_invalid
        )
    except claimreview_import.UnreadableFeed as exc:
        raise JobFailed(str(exc), result=claimreview_import.refused(str(exc))) from exc
    if not report.stored:
        raise JobFailed("Nothing was stored: some items are invalid (see the result).", result=report.as_dict())
    return report.as_dict()
