"""Loading an article and its hand-picked claims from a seed file (``seeds/*.json``)."""

import json
from pathlib import Path

from django.db import transaction
from django.utils.dateparse import parse_datetime

from claims.models import Article, Claim, Tag
from claims.validators import validate_span

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@transaction.atomic
def load_seed_file(path):
    """Create the article and claims described by ``path`` unless they exist; return what was created.

    Idempotent: the article is found by its content hash and each claim by its offsets, so a second
    run creates nothing and changes nothing (edits made since by reviewers are kept).
    """
    path = Path(path)
    meta = json.loads(path.read_text(encoding="utf-8"))
    body = (path.parent / meta["body_file"]).read_text(encoding="utf-8")
    article = Article.objects.filter(content_hash=Article.hash_of(body)).first()
    created_article = article is None
    if created_article:
        article = Article(
            title=meta["title"],
            url=meta.get("url"),
            publisher=meta.get("publisher", ""),
            author=meta.get("author", ""),
            published_at=parse_datetime(meta["published_at"]) if meta.get("published_at") else None,
            language=meta.get("language", "en"),
            body=body,
        )
        article._change_reason = "seed"
        article.save()
    created_claims = 0
    for item in meta.get("claims", []):
        quote = validate_span(article.body, item["start"], item["end"], item["quote"])
        if Claim.objects.filter(article=article, start=item["start"], end=item["end"]).exists():
            continue
        claim = Claim(
            article=article,
            quote=quote,
            start=item["start"],
            end=item["end"],
            claimant=item.get("claimant", ""),
            claim_reviewed=item.get("claim_reviewed", ""),
            check_worthiness=item.get("check_worthiness", 0.5),
            claimed_at=article.published_at.date() if article.published_at else None,
            status=Claim.Status.ACCEPTED,
        )
        claim._change_reason = "seed"
        claim.save()
        if item.get("tags"):
            claim.tags.set(Tag.objects.for_names(item["tags"]))
        created_claims += 1
    return article, created_article, created_claims
