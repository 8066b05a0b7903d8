"""Loading an article and its hand-picked claims from a seed file (``seeds/*.json``)."""

import json
from pathlib import Path

from django.db import transaction
from django.utils.dateparse import parse_datetime

from claims import services
from claims.models import Claim

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
    article, created_article = services.ingest_article(
        title=meta["title"],
        url=meta.get("url"),
        publisher=meta.get("publisher", ""),
        author=meta.get("author", ""),
        published_at=parse_datetime(meta["published_at"]) if meta.get("published_at") else None,
        language=meta.get("language", "en"),
        body=body,
    )
    created_claims = 0
    for item in meta.get("claims", []):
        if Claim.objects.filter(article=article, start=item["start"], end=item["end"]).exists():
            continue
        services.create_claim(
            article=article,
            quote=item["quote"],
            start=item["start"],
            end=item["end"],
            claimant=item.get("claimant", ""),
            claim_reviewed=item.get("claim_reviewed", ""),
            check_worthiness=item.get("check_worthiness", 0.5),
            status=Claim.Status.ACCEPTED,
            tags=item.get("tags") or None,
            reason="seed",
        )
        created_claims += 1
    return article, created_article, created_claims
