"""Importing other organisations' ClaimReviews: the shapes read, the variants tolerated, the per-item
report, all-or-nothing unless ``skip_invalid``, idempotent by URL; the command; the constraints."""

import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from claims.claimreview_import import UnreadableFeed, import_claim_reviews, items_in, read_item, read_text
from claims.models import ExternalFactCheck
from tests.factories import ExternalFactCheckFactory

pytestmark = pytest.mark.django_db


def claim_review(n=1, **overrides):
    """A ClaimReview as a fact-checker publishes it (Google's required and recommended properties)."""
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://checks.example.org/fact-check/{n}",
        "claimReviewed": f"Troops liberated {30 + n} towns in two days.",
        "author": {"@type": "Organization", "name": "Example Checks", "url": "https://checks.example.org/"},
        "datePublished": "2022-09-12",
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 2,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Mostly false",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A. Minister"},
            "datePublished": "2022-09-10",
            "appearance": [{"@type": "CreativeWork", "url": "https://news.example.org/a"}],
            "firstAppearance": {"@type": "CreativeWork", "url": "https://news.example.org/first"},
        },
        "inLanguage": "en",
    }
    review.update(overrides)
    return review


def run(document, **options):
    return import_claim_reviews([("", document)], **options)


# --- Shapes ---------------------------------------------------------------------------------------


def test_a_single_claimreview_is_stored_with_every_field():
    report = run(claim_review())
    assert (report.stored, report.count("created")) == (True, 1)
    stored = ExternalFactCheck.objects.get()
    assert report.items[0].id == stored.pk
    assert stored.url == "https://checks.example.org/fact-check/1"
    assert (stored.publisher, stored.publisher_url) == ("Example Checks", "https://checks.example.org/")
    assert stored.claim_reviewed == "Troops liberated 31 towns in two days."
    assert (stored.claimant, stored.claimant_type) == ("A. Minister", "Person")
    assert (stored.rating_text, stored.rating_value, stored.best_rating, stored.worst_rating) == (
        "Mostly false",
        2,
        5,
        1,
    )
    assert stored.date_published == datetime(2022, 9, 12, tzinfo=UTC)
    assert stored.claim_date == date(2022, 9, 10)
    assert stored.appearances == ["https://news.example.org/first", "https://news.example.org/a"]
    assert stored.language == "en"
    assert stored.data == claim_review()


def test_an_array_a_graph_and_a_datafeed_are_read():
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "item": [claim_review(1)]},
            {"@type": "DataFeedItem", "item": claim_review(2)},
        ],
    }
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, claim_review(3)]}
    assert [item["url"] for item in items_in([claim_review(4), claim_review(5)])] == [
        claim_review(4)["url"],
        claim_review(5)["url"],
    ]
    assert [item["url"] for item in items_in(feed)] == [claim_review(1)["url"], claim_review(2)["url"]]
    assert [item["url"] for item in items_in(graph)] == [claim_review(3)["url"]]


def test_the_datafeed_this_service_exports_is_imported(settings):
    from reviews import exports
    from reviews.models import Review
    from tests.factories import ClaimFactory

    ClaimFactory(verified=True, claim_reviewed="Russia lost 2,000 soldiers in three days.")
    feed = json.loads("".join(exports.write_datafeed(exports.exported_claims(exports.verified_claims()))))
    report = run(feed)
    assert report.count("created") == 1
    stored = ExternalFactCheck.objects.get()
    review = Review.objects.get()
    rating = feed["dataFeedElement"][0]["item"][0]["reviewRating"]
    assert stored.url == feed["dataFeedElement"][0]["url"]
    assert stored.claim_reviewed == "Russia lost 2,000 soldiers in three days."
    assert (stored.rating_text, stored.rating_value) == (rating["alternateName"], rating.get("ratingValue"))
    assert stored.rating_text in (review.rating_text, review.get_verdict_display())
    assert stored.publisher == settings.FACTCHECK_ORGANIZATION_NAME
    assert run(feed).count("unchanged") == 1


def test_an_html_page_gives_its_json_ld_blocks():
    page = f"""<!doctype html><html><head>
      <script type="application/ld+json">{json.dumps({"@type": "Organization", "name": "Checks"})}</script>
      <script type="application/ld+json; charset=utf-8">{json.dumps(claim_review(7))}</script>
      <script>var notJsonLd = 1;</script>
    </head><body><p>Troops &amp; towns</p></body></html>"""
    assert [item["url"] for item in items_in(read_text(page))] == [claim_review(7)["url"]]


def test_a_page_nested_beyond_recursion_is_unreadable_not_an_error():
    page = '<script type="application/ld+json">' + "[" * 900 + "]" * 900 + "</script>"
    with pytest.raises(UnreadableFeed, match="nested more than 32 levels"):
        items_in(read_text(page))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "Neither JSON nor an HTML page"),
        ("<html><body>No markup</body></html>", "no <script"),
        ('<script type="application/ld+json">{oops</script>', "not JSON"),
        ("[]", "No ClaimReview found"),
        ('{"@type": "WebPage"}', None),
        ('{"@graph": [{"@type": "WebPage"}]}', "No ClaimReview found"),
    ],
)
def test_a_document_without_claimreviews_is_unreadable(text, message):
    if message is None:  # an object meant for import that is not a ClaimReview: an invalid item
        report = run(read_text(text))
        assert not report.stored
        assert report.items[0].errors == [
            'Not a ClaimReview: "@type" must be "ClaimReview".',
            "url is missing.",
            *[
                "claimReviewed is missing.",
                "reviewRating is missing: give its alternateName or a numeric ratingValue.",
            ],
        ]
        return
    with pytest.raises(UnreadableFeed, match=message):
        items_in(read_text(text))


# --- Variants publishers emit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"author": "Example Checks"}, {"publisher": "Example Checks", "publisher_url": ""}),
        ({"author": [{"@type": "Organization", "name": "List Checks"}]}, {"publisher": "List Checks"}),
        ({"@type": ["ClaimReview"]}, {}),
        ({"@type": "schema:ClaimReview"}, {}),
        (
            {"itemReviewed": {"@type": "Claim", "author": "Ministry of Defence"}},
            {"claimant": "Ministry of Defence", "claimant_type": ""},
        ),
        (
            {"itemReviewed": {"author": [{"@type": "Organization", "name": "Ministry"}]}},
            {"claimant": "Ministry", "claimant_type": "Organization"},
        ),
        (
            {"reviewRating": {"ratingValue": "4", "bestRating": "5", "worstRating": "1"}},
            {"rating_value": 4.0, "rating_text": "", "best_rating": 5.0},
        ),
        ({"reviewRating": {"alternateName": "Pants on fire"}}, {"rating_text": "Pants on fire", "rating_value": None}),
        ({"datePublished": "2022-09-12T08:30:00+02:00"}, {"date_published": datetime(2022, 9, 12, 6, 30, tzinfo=UTC)}),
        ({"datePublished": "2022-09-12T08:30:00"}, {"date_published": datetime(2022, 9, 12, 8, 30, tzinfo=UTC)}),
        ({"inLanguage": {"@type": "Language", "alternateName": "pt-BR"}}, {"language": "pt-BR"}),
    ],
)
def test_the_variants_of_real_feeds_are_read(overrides, expected):
    fields, errors, _ = read_item(claim_review(**overrides))
    assert errors == []
    assert {name: fields[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        ({"datePublished": "12/09/2022"}, "datePublished is not an ISO 8601 date"),
        ({"reviewRating": {"alternateName": "False", "ratingValue": "n/a"}}, "ratingValue is not a number"),
        ({"reviewRating": {"alternateName": "False", "ratingValue": 10**400}}, "ratingValue is not a number"),
        (
            {"reviewRating": {"alternateName": "False", "ratingValue": 1, "bestRating": 1, "worstRating": 5}},
            "worstRating is not below bestRating",
        ),
        ({"reviewRating": {"alternateName": "False", "ratingValue": 9, "bestRating": 5}}, "outside its bounds"),
        ({"author": {"name": "X", "url": "javascript:alert(1)"}}, "author.url is not an http(s) URL"),
    ],
)
def test_unreadable_details_of_a_valid_item_are_left_out_with_a_warning(overrides, warning):
    report = run(claim_review(**overrides))
    assert report.stored
    assert any(warning in message for message in report.items[0].warnings)
    stored = ExternalFactCheck.objects.get()  # and the database's constraints hold
    assert stored.rating_text or stored.rating_value is not None


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"url": None}, "url is missing."),
        ({"url": "ftp://checks.example.org/1"}, "url is not an http:// or https:// URL"),
        ({"claimReviewed": "  "}, "claimReviewed is missing."),
        ({"reviewRating": None}, "reviewRating is missing"),
        ({"reviewRating": {"ratingValue": "false"}}, "reviewRating is missing"),
        ({"reviewRating": {"ratingValue": 9, "bestRating": 5}}, "ratingValue is outside"),
        ({"claimReviewed": "nul \x00 byte"}, "NUL character"),
        ({"claimReviewed": "half \ud800 surrogate"}, "lone surrogate"),
        ({"extra": float("nan")}, "not finite"),
        ({"extra": json.loads("[" * 40 + "]" * 40)}, "nested more than 32"),
    ],
)
def test_an_invalid_item_is_reported_and_nothing_is_stored(overrides, error):
    report = run([claim_review(1), claim_review(2, **overrides)])
    assert not report.stored
    assert ExternalFactCheck.objects.count() == 0
    assert report.items[0].errors == []
    assert any(error in message for message in report.items[1].errors)
    assert report.as_dict()["invalid"] == 1
    assert report.as_dict()["detail"].startswith("Nothing imported: 1 of 2 items are invalid")


def test_skip_invalid_stores_the_valid_items_and_reports_the_others():
    report = run([claim_review(1), {"@type": "ClaimReview"}, "text", claim_review(2)], skip_invalid=True)
    assert report.stored
    assert [item.status for item in report.items] == ["created", "invalid", "invalid", "created"]
    assert report.items[2].errors == ["Not a ClaimReview object but str."]
    assert ExternalFactCheck.objects.count() == 2
    assert "invalid items skipped" in report.summary


def test_the_same_url_twice_in_one_import_is_invalid_the_second_time():
    report = run([claim_review(1), claim_review(1)])
    assert not report.stored
    assert report.items[1].errors == ["The same url as item 0: a ClaimReview is imported once per import."]


# --- Idempotent by URL ----------------------------------------------------------------------------


def test_importing_again_leaves_unchanged_items_and_updates_changed_ones():
    first = run([claim_review(1), claim_review(2)])
    ids = [item.id for item in first.items]
    again = run([claim_review(1), claim_review(2, reviewRating={"alternateName": "False"}), claim_review(3)])
    assert [item.status for item in again.items] == ["unchanged", "updated", "created"]
    assert [item.id for item in again.items[:2]] == ids
    assert ExternalFactCheck.objects.count() == 3
    updated = ExternalFactCheck.objects.get(pk=ids[1])
    assert (updated.rating_text, updated.rating_value, updated.best_rating) == ("False", None, None)


def test_an_import_is_one_transaction(monkeypatch):
    from claims import claimreview_import

    monkeypatch.setattr(claimreview_import, "CHUNK", 2)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if done == 4:
            raise RuntimeError("the worker died")

    with pytest.raises(RuntimeError):
        run([claim_review(n) for n in range(5)], progress=progress)
    assert ExternalFactCheck.objects.count() == 0
    assert calls == [(2, 5), (4, 5)]


# --- The command ----------------------------------------------------------------------------------


def test_the_command_imports_files_and_summarises(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([claim_review(1), claim_review(2)]))
    (tmp_path / "b.html").write_text(f'<script type="application/ld+json">{json.dumps(claim_review(3))}</script>')
    out = io.StringIO()
    call_command("import_claimreview", str(tmp_path / "a.json"), str(tmp_path / "b.html"), stdout=out)
    assert (
        out.getvalue().strip().splitlines()[-1]
        == "Imported 3 of 3 items: 3 created, 0 updated, 0 unchanged, 0 invalid."
    )
    out = io.StringIO()
    call_command("import_claimreview", str(tmp_path / "a.json"), stdout=out)
    assert "0 created, 0 updated, 2 unchanged" in out.getvalue()
    assert ExternalFactCheck.objects.count() == 3


def test_the_command_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(claim_review(1))))
    call_command("import_claimreview", "-", stdout=io.StringIO())
    assert ExternalFactCheck.objects.count() == 1


def test_the_command_fails_on_invalid_items_unless_told_to_skip_them(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([claim_review(1), {"@type": "ClaimReview", "url": "https://x.example/1"}]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 1 of 2 items are invalid"):
        call_command("import_claimreview", str(feed), stdout=io.StringIO(), stderr=err)
    assert "item 1 https://x.example/1: claimReviewed is missing." in err.getvalue()
    assert ExternalFactCheck.objects.count() == 0
    out = io.StringIO()
    call_command("import_claimreview", str(feed), "--skip-invalid", stdout=out, stderr=io.StringIO())
    assert "Imported 1 of 2 items" in out.getvalue()
    assert ExternalFactCheck.objects.count() == 1


def test_the_command_fails_when_nothing_could_be_imported(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([{"@type": "ClaimReview"}]))
    with pytest.raises(CommandError, match="Nothing imported: 1 of 1 items are invalid"):
        call_command("import_claimreview", str(feed), "--skip-invalid", stdout=io.StringIO(), stderr=io.StringIO())
    feed.write_text("<html></html>")
    with pytest.raises(CommandError, match="no <script"):
        call_command("import_claimreview", str(feed), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_claimreview", str(tmp_path / "missing.json"), stdout=io.StringIO())


def test_the_command_prints_progress_for_long_feeds(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([claim_review(n) for n in range(1500)]))
    out = io.StringIO()
    call_command("import_claimreview", str(feed), stdout=out)
    assert "stored 1,000 / 1,500 items" in out.getvalue()
    assert ExternalFactCheck.objects.count() == 1500


# --- Constraints ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"url": "ftp://checks.example.org/1"},
        {"publisher_url": "javascript:alert(1)"},
        {"claim_reviewed": ""},
        {"rating_text": "", "rating_value": None},
        {"best_rating": 1, "worst_rating": 5, "rating_value": None},
        {"rating_value": 6, "best_rating": 5},
        {"rating_value": 0, "worst_rating": 1},
    ],
)
def test_the_database_refuses_what_breaks_an_invariant(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalFactCheckFactory(**fields)


def test_the_url_is_unique():
    ExternalFactCheckFactory(url="https://checks.example.org/1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalFactCheckFactory(url="https://checks.example.org/1")
