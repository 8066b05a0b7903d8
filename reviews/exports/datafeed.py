"""The ``datafeed`` format: the ClaimReview objects in a schema.org DataFeed, as Google's fact-check feed has them."""

from django.conf import settings
from django.utils import timezone

from factcheck.formats import iso_datetime
from reviews.exports.claimreview import claim_reviews, organization
from reviews.exports.jsontext import chunks, dumps, json_list


def write_datafeed(claims):
    """The ClaimReview objects in a schema.org DataFeed, as Google's fact-check feed has them."""
    head = dumps(
        {
            "@context": "https://schema.org",
            "@type": "DataFeed",
            "name": f"{settings.FACTCHECK_ORGANIZATION_NAME} fact checks",
            "url": settings.FACTCHECK_PUBLIC_BASE_URL,
            "publisher": organization(),
            "dateModified": iso_datetime(timezone.now()),
        }
    )
    items = (_item(review) for review in claim_reviews(claims))
    return chunks(json_list(head[:-1] + ',"dataFeedElement":[', items, "]}\n"))


def _item(review):
    item = {"@type": "DataFeedItem", "dateCreated": review["datePublished"]}
    if "dateModified" in review:  # a correction
        item["dateModified"] = review["dateModified"]
    item["url"] = review["url"]
    item["item"] = [review]
    return item
