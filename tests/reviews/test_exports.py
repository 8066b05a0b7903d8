"""Exports of verified claims: every format parsed back and compared with the database."""

import csv
import dataclasses
import io
import json
import unicodedata
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from claims.claimant_names import claimant_type
from claims.models import RATING_VALUES, Article, Claim, Tag, Verdict
from reviews import exports
from reviews.exports import reading
from reviews.exports.claimreview import CLAIMANT_SCHEMA_TYPES
from reviews.models import Review
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EvidenceFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def make_varied_claims():
    """Verified claims in every shape an export must carry, and unverified claims it must leave out.

    Returns the verified claims, in id order.
    """
    editor = EditorFactory()
    first = ReviewFactory(
        state=Review.State.PUBLISHED,
        verdict=Verdict.MOSTLY_FALSE,
        published_by=editor,
        summary='Figures were "rounded up"\nby a factor of ten.',
        claim__claimed_at=date(2022, 9, 10),
        claim__claim_reviewed='Russia "lost" 2,000\nsoldiers, says the ministry',
    )
    first.claim.tags.set(Tag.objects.for_names(["war", "casualties"]))
    EvidenceFactory(
        review=first,
        added_by=editor,
        title='=HYPERLINK("https://evil.example")',
        published_at=date(2022, 9, 9),
        accessed_at=date(2022, 9, 12),
        archive_url="https://web.archive.org/web/2022/https://example.org/report",
    )
    EvidenceFactory(review=first, stance="context", title="")

    article = ArticleFactory(url=None, title="Харків: контрнаступ «Балаклія»", author="Олена Петренко")
    second = ReviewFactory(
        state=Review.State.PUBLISHED,
        verdict=Verdict.UNVERIFIABLE,
        rating_text="Can't be checked yet",
        summary="",
        claim__article=article,
        claim__claimant="=cmd|' /C calc'!A0",
    )

    third_claim = ClaimFactory(claimant="")
    ReviewFactory(claim=third_claim, state=Review.State.SUPERSEDED, verdict=Verdict.FALSE)
    third = ReviewFactory(
        claim=third_claim,
        state=Review.State.PUBLISHED,
        verdict=Verdict.TRUE,
        rating_text="@true",
        summary="-1 is what they said; +1 is what happened.",
    )
    EvidenceFactory(review=third, url="https://example.org/a?b=1&c=%22")

    ClaimFactory()  # accepted, never reviewed
    ReviewFactory(state=Review.State.DRAFT)
    ReviewFactory(state=Review.State.SUBMITTED)
    return sorted([first.claim, second.claim, third_claim], key=lambda claim: claim.pk)


def published_review(claim):
    return claim.reviews.get(state=Review.State.PUBLISHED)


def parse_datetime(text):
    return datetime.fromisoformat(text) if text else None


def unneutralise(cell):
    """Undo the CSV writer's formula guard."""
    if cell.startswith("'") and exports.formula_like(cell[1:]):
        return cell[1:]
    return cell


def export(write, queryset=None, **kwargs):
    return "".join(write(exports.exported_claims(queryset or exports.verified_claims(), **kwargs)))


# --- which claims ------------------------------------------------------------------------------


def test_only_claims_with_a_published_review_are_exported_in_id_order():
    verified = make_varied_claims()
    exported = [claim.detail["id"] for claim in exports.exported_claims(Claim.objects.all())]
    assert exported == [claim.pk for claim in verified]
    assert Claim.objects.count() > len(verified)


def test_the_current_published_review_is_exported_not_the_superseded_one():
    claim = make_varied_claims()[2]
    (exported,) = [c for c in exports.exported_claims(exports.verified_claims()) if c.detail["id"] == claim.pk]
    assert exported.detail["published_review"]["id"] == published_review(claim).pk
    assert exported.detail["published_review"]["verdict"] == "true"


def test_small_batches_cover_every_claim_exactly_once():
    ReviewFactory.create_batch(7, state=Review.State.PUBLISHED)
    ids = [claim.detail["id"] for claim in exports.exported_claims(exports.verified_claims(), batch_size=2)]
    assert ids == sorted(Claim.objects.values_list("pk", flat=True))


def test_an_empty_export_is_still_valid_in_every_format():
    ClaimFactory()
    assert json.loads(export(exports.write_claimreview)) == []
    assert json.loads(export(exports.write_datafeed))["dataFeedElement"] == []
    assert export(exports.write_ndjson) == ""
    assert list(csv.reader(io.StringIO(export(exports.write_csv).lstrip("\ufeff")))) == [exports.CSV_COLUMNS]


def test_timestamps_read_as_text_equal_those_rendered_in_python():
    """The database formats UTC timestamps (the fast path); Python renders them in any other zone."""
    make_varied_claims()
    fast = [claim.detail for claim in exports.exported_claims(exports.verified_claims())]
    with timezone.override("America/New_York"):
        slow = [claim.detail for claim in exports.exported_claims(exports.verified_claims())]

    def instants(detail):
        review = detail["published_review"]
        stamps = [detail["created_at"], detail["updated_at"], review["published_at"]]
        stamps += [e[key] for e in review["evidence"] for key in ("created_at", "updated_at")]
        return stamps

    for a, b in zip(fast, slow, strict=True):
        assert all(stamp.endswith("Z") for stamp in instants(a))
        assert all(stamp.endswith(("-04:00", "-05:00")) for stamp in instants(b))
        assert [parse_datetime(x) for x in instants(a)] == [parse_datetime(x) for x in instants(b)]


def test_whole_second_timestamps_have_no_fraction_as_in_drf():
    review = ReviewFactory(state=Review.State.PUBLISHED)
    Review.objects.filter(pk=review.pk).update(published_at=datetime(2022, 9, 10, 8, 30, tzinfo=UTC))
    (claim,) = exports.exported_claims(exports.verified_claims())
    assert claim.detail["published_review"]["published_at"] == "2022-09-10T08:30:00Z"


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(("claims", "queries"), [(0, 1), (5, 4), (10, 5), (30, 13), (31, 16)])
def test_queries_are_four_per_batch_whatever_the_batch_holds(claims, queries, django_assert_num_queries):
    """Claims + article + review in one query, tags in one, evidence in one, appearances in one: per batch of 10 here,
    plus one query that finds nothing more after a full last batch."""
    for claim in ClaimFactory.create_batch(claims, verified=True, review__evidence=2):
        claim.tags.set(Tag.objects.for_names(["war"]))
    with django_assert_num_queries(queries):
        exported = list(exports.exported_claims(exports.verified_claims(), batch_size=10))
    assert len(exported) == claims
    assert all(len(claim.detail["published_review"]["evidence"]) == 2 for claim in exported)
    assert all(claim.detail["tags"] == ["war"] for claim in exported)


# --- NDJSON ------------------------------------------------------------------------------------


def test_ndjson_has_one_claim_per_line_matching_the_database():
    verified = make_varied_claims()
    text = export(exports.write_ndjson)
    assert text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) == len(verified)
    for line, claim in zip(lines, verified, strict=True):
        row = json.loads(line)
        review = published_review(claim)
        assert row["id"] == claim.pk
        assert row["article"] == claim.article_id
        assert row["quote"] == claim.quote == claim.article.body[claim.start : claim.end]
        assert (row["start"], row["end"]) == (claim.start, claim.end)
        assert row["claim_reviewed"] == claim.claim_reviewed
        assert row["claimant"] == claim.claimant
        assert row["claimed_at"] == (claim.claimed_at.isoformat() if claim.claimed_at else None)
        assert row["check_worthiness"] == claim.check_worthiness
        assert row["status"] == "verified"
        assert row["verdict"] == claim.verdict == review.verdict
        assert row["tags"] == sorted(tag.name for tag in claim.tags.all())
        assert parse_datetime(row["updated_at"]) == claim.updated_at
        assert row["version"] == claim.version
        assert row["article_title"] == claim.article.title
        assert row["article_url"] == claim.article.url
        published = row["published_review"]
        assert published["id"] == review.pk
        assert published["author"] == review.author.username
        assert published["rating_text"] == review.rating_text
        assert published["rating_value"] == review.rating_value
        assert published["summary"] == review.summary
        assert parse_datetime(published["published_at"]) == review.published_at
        evidence = list(review.evidence.order_by("id"))
        assert [e["id"] for e in published["evidence"]] == [e.pk for e in evidence]
        for got, want in zip(published["evidence"], evidence, strict=True):
            assert got["url"] == want.url
            assert got["title"] == want.title
            assert got["stance"] == want.stance
            assert got["published_at"] == (want.published_at.isoformat() if want.published_at else None)
            assert got["archive_url"] == want.archive_url
            assert got["added_by"] == (want.added_by.username if want.added_by else None)


def test_ndjson_keeps_non_ascii_text_as_utf8():
    make_varied_claims()
    text = export(exports.write_ndjson)
    assert "Харків" in text
    assert "\\u" not in text


# --- ClaimReview -------------------------------------------------------------------------------


def check_claim_review(item, claim, settings):
    review = published_review(claim)
    assert item["@context"] == "https://schema.org"
    assert item["@type"] == "ClaimReview"
    assert item["claimReviewed"] == claim.claim_reviewed  # required at publish: never the quote in its place
    assert claim.claim_reviewed
    assert item["url"] == f"{settings.FACTCHECK_PUBLIC_BASE_URL}/reviews/{review.pk}/"
    assert item["author"] == {
        "@type": "Organization",
        "name": settings.FACTCHECK_ORGANIZATION_NAME,
        "url": settings.FACTCHECK_ORGANIZATION_URL,
    }
    assert parse_datetime(item["datePublished"]) == review.published_at
    rating = item["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == review.rating_text
    if review.verdict in RATING_VALUES:
        assert rating["ratingValue"] == RATING_VALUES[review.verdict]
        assert (rating["bestRating"], rating["worstRating"]) == (5, 1)
    else:
        assert not {"ratingValue", "bestRating", "worstRating"} & set(rating)
    claimed = item["itemReviewed"]
    assert claimed["@type"] == "Claim"
    if claim.claimant:
        # Typed by its claimant entity, or (a claim linked to none) by the type its name suggests.
        entity = claim.claimant_entity
        kind = entity.type if entity is not None else claimant_type(claim.claimant)
        expected = {"@type": CLAIMANT_SCHEMA_TYPES[kind], "name": claim.claimant}
        if entity is not None and entity.same_as:
            expected["sameAs"] = entity.same_as
        assert claimed["author"] == expected
    else:
        assert "author" not in claimed
    assert claimed.get("datePublished") == (claim.claimed_at.isoformat() if claim.claimed_at else None)
    appearance = claimed["appearance"]
    assert appearance["@type"] == "CreativeWork"
    assert appearance["headline"] == claim.article.title
    assert appearance.get("url") == claim.article.url
    assert parse_datetime(appearance.get("datePublished")) == claim.article.published_at
    assert appearance.get("author", {}).get("name", "") == claim.article.author
    assert item.get("reviewBody", "") == review.summary
    assert [c["url"] for c in item.get("citation", [])] == list(
        review.evidence.order_by("id").values_list("url", flat=True)
    )


def test_claimreview_is_a_json_ld_array_matching_the_database(settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://factcheck.example.org"
    settings.FACTCHECK_ORGANIZATION_NAME = "Example Fact Check"
    settings.FACTCHECK_ORGANIZATION_URL = "https://example.org/about"
    verified = make_varied_claims()
    items = json.loads(export(exports.write_claimreview))
    assert len(items) == len(verified)
    for item, claim in zip(items, verified, strict=True):
        check_claim_review(item, claim, settings)


def test_unverifiable_verdicts_have_a_rating_text_but_no_rating_value(settings):
    claim = make_varied_claims()[1]
    (item,) = [
        i
        for i in json.loads(export(exports.write_claimreview))
        if i["url"].endswith(f"/reviews/{published_review(claim).pk}/")
    ]
    assert item["reviewRating"] == {"@type": "Rating", "alternateName": "Can't be checked yet"}
    # The article has no url: the appearance is a CreativeWork describing it instead.
    assert "url" not in item["itemReviewed"]["appearance"]
    assert item["itemReviewed"]["appearance"]["headline"] == "Харків: контрнаступ «Балаклія»"


def test_datafeed_wraps_the_same_claimreviews(settings):
    verified = make_varied_claims()
    feed = json.loads(export(exports.write_datafeed))
    assert feed["@context"] == "https://schema.org"
    assert feed["@type"] == "DataFeed"
    assert feed["publisher"]["name"] == settings.FACTCHECK_ORGANIZATION_NAME
    assert parse_datetime(feed["dateModified"]) is not None
    elements = feed["dataFeedElement"]
    assert [element["@type"] for element in elements] == ["DataFeedItem"] * len(verified)
    items = [element["item"][0] for element in elements]
    assert items == json.loads(export(exports.write_claimreview))
    for element, item, claim in zip(elements, items, verified, strict=True):
        assert element["url"] == item["url"]
        assert element["dateCreated"] == item["datePublished"]
        check_claim_review(item, claim, settings)


def test_review_url_template_is_configurable(settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://factcheck.example.org/"
    settings.FACTCHECK_REVIEW_URL_TEMPLATE = "{base}/claims/{claim_id}#review-{review_id}"
    assert exports.review_url(3, 7) == "https://factcheck.example.org/claims/3#review-7"


# --- CSV ---------------------------------------------------------------------------------------


def read_csv(text):
    assert text.startswith("\ufeff"), "a byte-order mark tells spreadsheets the file is UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_csv_has_one_row_per_claim_matching_the_database(settings):
    verified = make_varied_claims()
    text = export(exports.write_csv)
    rows = read_csv(text)
    assert list(rows[0]) == exports.CSV_COLUMNS
    assert len(rows) == len(verified)
    for row, claim in zip(rows, verified, strict=True):
        review = published_review(claim)
        cells = {name: unneutralise(value) for name, value in row.items()}
        assert cells["claim_id"] == str(claim.pk)
        assert cells["article_id"] == str(claim.article_id)
        assert cells["article_title"] == claim.article.title
        assert cells["article_url"] == (claim.article.url or "")
        assert cells["claimant"] == claim.claimant
        assert cells["quote"] == claim.quote
        assert cells["claim_reviewed"] == claim.claim_reviewed
        assert cells["verdict"] == review.verdict
        assert cells["rating_text"] == review.rating_text
        assert cells["rating_value"] == ("" if review.rating_value is None else str(review.rating_value))
        assert cells["summary"] == review.summary
        assert cells["evidence_urls"].split() == list(review.evidence.order_by("id").values_list("url", flat=True))
        assert parse_datetime(cells["published_at"]) == review.published_at
        assert cells["review_url"] == f"{settings.FACTCHECK_PUBLIC_BASE_URL}/reviews/{review.pk}/"


def test_csv_keeps_quotes_newlines_and_utf8_intact():
    make_varied_claims()
    text = export(exports.write_csv)
    text.encode("utf-8")  # no lone surrogates: the file is valid UTF-8
    rows = read_csv(text)
    assert rows[0]["claim_reviewed"] == 'Russia "lost" 2,000\nsoldiers, says the ministry'
    assert rows[0]["summary"] == 'Figures were "rounded up"\nby a factor of ten.'
    assert rows[1]["article_title"] == "Харків: контрнаступ «Балаклія»"
    assert '"Russia ""lost"" 2,000\nsoldiers, says the ministry"' in text
    assert text.count("\r\n") == 4  # header and three records; embedded newlines stay bare \n


@pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_neutralises_cells_that_a_spreadsheet_would_run_as_formulas(dangerous):
    ReviewFactory(state=Review.State.PUBLISHED, claim__claimant=dangerous, summary=dangerous, rating_text=dangerous)
    (row,) = read_csv(export(exports.write_csv))
    for column in ("claimant", "summary", "rating_text"):
        assert row[column] == "'" + dangerous


def test_csv_leaves_harmless_cells_alone():
    ReviewFactory(state=Review.State.PUBLISHED, claim__claimant="The ministry", summary="'quoted' already")
    (row,) = read_csv(export(exports.write_csv))
    assert row["claimant"] == "The ministry"
    assert row["summary"] == "'quoted' already"
    assert row["rating_value"] == "1"


def review_quoting(text):
    """A published review whose claim's quote (and wording, claimant, summary, rating text) is ``text``."""
    article = ArticleFactory(body=f"{text} was said.")
    return ReviewFactory(
        state=Review.State.PUBLISHED,
        claim__article=article,
        claim__start=0,
        claim__end=len(text),
        claim__quote=text,
        claim__claim_reviewed=text,
        claim__claimant=text,
        summary=text,
        rating_text=text,
    )


HIDDEN_FORMULAS = {
    "a space before =": " =1+1",
    "a newline before =": "\n=1+1",
    "newlines and spaces before =": '\n\n  =HYPERLINK("https://evil.example")',
    "spaces and a tab before @": "  \t@SUM(A1)",
    "a no-break space before =": "\u00a0=1+1",
    "an ideographic space before -": "\u3000-1+1",
    "a line separator before +": "\u2028+1",
    "a zero-width space before =": "\u200b=1+1",
    "a byte-order mark before =": "\ufeff=1+1",
    "fullwidth =": "＝1+1",
    "fullwidth +": "＋1",
    "fullwidth -": "－1",
    "fullwidth @": "＠SUM(A1)",
    "blanks before fullwidth =": " \n＝cmd|' /C calc'!A0",
    "small =": "﹦1+1",
}


@pytest.mark.parametrize("dangerous", HIDDEN_FORMULAS.values(), ids=HIDDEN_FORMULAS.keys())
def test_csv_neutralises_formulas_hidden_behind_blanks_or_written_with_fullwidth_signs(dangerous):
    review_quoting(dangerous)
    (row,) = read_csv(export(exports.write_csv))
    for column in ("quote", "claim_reviewed", "claimant", "summary", "rating_text"):
        assert row[column] == "'" + dangerous, column


@pytest.mark.parametrize(
    "harmless",
    [" The ministry said", "\n2,000 soldiers", "\u00a0Kharkiv", "Ministry = government", "e-mail", "５ towns"],
)
def test_csv_leaves_text_with_leading_blanks_but_no_formula_sign_alone(harmless):
    review_quoting(harmless)
    (row,) = read_csv(export(exports.write_csv))
    for column in ("quote", "claim_reviewed", "claimant", "summary", "rating_text"):
        assert row[column] == harmless, column


def test_csv_neutralises_a_leading_minus_like_any_formula_sign():
    # As OWASP advises: "-5% growth" is kept as text, not computed (a spreadsheet would show -0.05).
    review_quoting("-5% growth")
    (row,) = read_csv(export(exports.write_csv))
    assert row["quote"] == "'-5% growth"


def test_every_character_that_folds_into_a_formula_sign_or_a_blank_is_guarded():
    code_points = (chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for char in code_points:
        if unicodedata.normalize("NFKC", char)[:1] in {"=", "+", "-", "@"}:
            assert exports.formula_like(char + "1"), f"U+{ord(char):04X}"
        if char.isspace():
            assert exports.formula_like(char + "=1"), f"U+{ord(char):04X}"


# --- filters -----------------------------------------------------------------------------------


def test_filters_narrow_the_export_like_the_claim_list():
    first, second, third = make_varied_claims()

    def ids(**params):
        return [claim.detail["id"] for claim in exports.exported_claims(exports.filter_claims(params))]

    assert ids(verdict="mostly_false") == [first.pk]
    assert ids(tag="WAR") == [first.pk]
    assert ids(article=second.article_id) == [second.pk]
    assert ids(claimant="CMD|") == [second.pk]
    Claim.objects.filter(pk=third.pk).update(updated_at=datetime(2030, 1, 1, tzinfo=third.updated_at.tzinfo))
    assert ids(updated_since="2029-12-31T00:00:00Z") == [third.pk]
    assert ids(status="candidate") == [first.pk, second.pk, third.pk], "status is not an export filter"


def test_updated_since_includes_reviews_published_since_with_an_unchanged_verdict():
    """Incremental sync: a new review with the same verdict leaves the claim row alone, yet the
    export now carries its summary and evidence."""
    old = ReviewFactory(state=Review.State.PUBLISHED, verdict=Verdict.FALSE)
    claim = old.claim
    Claim.objects.filter(pk=claim.pk).update(updated_at=datetime(2022, 1, 1, tzinfo=UTC))
    Review.objects.filter(pk=old.pk).update(published_at=datetime(2022, 1, 1, tzinfo=UTC))
    since = {"updated_since": "2023-01-01T00:00:00Z"}
    assert list(exports.exported_claims(exports.filter_claims(since))) == []

    Review.objects.filter(pk=old.pk).update(state=Review.State.SUPERSEDED)
    new = ReviewFactory(claim=claim, state=Review.State.PUBLISHED, verdict=Verdict.FALSE, summary="Corrected.")
    claim.refresh_from_db()
    assert claim.updated_at == datetime(2022, 1, 1, tzinfo=UTC), "the claim row did not change"
    (exported,) = exports.exported_claims(exports.filter_claims(since))
    assert exported.detail["published_review"]["id"] == new.pk


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"verdict": "bogus"}, "verdict"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"article": "abc"}, "article"),
        ({"article": str(2**70)}, "article"),
        ({"claimant": "x\x00y"}, "claimant"),
    ],
)
def test_invalid_filter_values_are_refused_naming_the_field(params, field):
    with pytest.raises(exports.ValidationError) as raised:
        exports.filter_claims(params)
    assert field in raised.value.message_dict


# --- the export_claims command -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_command_writes_the_same_export_to_a_file(fmt, tmp_path, capsys):
    make_varied_claims()
    target = tmp_path / f"export.{fmt}"
    out, err = io.StringIO(), io.StringIO()
    call_command("export_claims", "--format", fmt, "--output", str(target), stdout=out, stderr=err)
    written = target.read_bytes().decode("utf-8")
    expected = export(exports.FORMATS[fmt].write)
    if fmt == "datafeed":  # dateModified is the time of export
        written, expected = json.loads(written), json.loads(expected)
        written.pop("dateModified"), expected.pop("dateModified")
    assert written == expected
    summary = out.getvalue().strip().splitlines()
    assert len(summary) == 1
    assert summary[0].startswith(f"Exported 3 verified claim(s) as {fmt} to {target}")
    assert err.getvalue() == ""


def test_command_writes_to_stdout_and_the_summary_to_stderr():
    verified = make_varied_claims()
    out, err = io.StringIO(), io.StringIO()
    call_command("export_claims", "--format", "ndjson", stdout=out, stderr=err)
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [c.pk for c in verified]
    assert err.getvalue().strip().startswith("Exported 3 verified claim(s) as ndjson to stdout")


def test_command_defaults_to_claimreview():
    make_varied_claims()
    out = io.StringIO()
    call_command("export_claims", stdout=out, stderr=io.StringIO())
    assert [item["@type"] for item in json.loads(out.getvalue())] == ["ClaimReview"] * 3


def test_command_reports_progress_on_large_exports():
    ReviewFactory.create_batch(5, state=Review.State.PUBLISHED)
    err = io.StringIO()
    call_command("export_claims", "--format", "csv", "--progress-every", "2", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert [line.strip().split()[0] for line in lines[:-1]] == ["2/5", "4/5"]
    assert lines[-1].startswith("Exported 5 verified claim(s) as csv")


def test_command_accepts_the_claim_list_filters(tmp_path):
    first, second, _ = make_varied_claims()
    out = io.StringIO()
    call_command(
        "export_claims", "--format", "ndjson", "--verdict", "mostly_false", "--verdict", "unverifiable",
        "--tag", "war", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [first.pk]
    out = io.StringIO()
    call_command(
        "export_claims", "--format", "ndjson", "--article", str(second.article_id), "--claimant", "cmd",
        "--updated-since", "2000-01-01T00:00:00Z", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [second.pk]


def test_command_refuses_invalid_filters():
    with pytest.raises(CommandError, match="--updated-since"):
        call_command("export_claims", "--updated-since", "last week", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="--verdict"):
        call_command("export_claims", "--verdict", "wrong", stdout=io.StringIO(), stderr=io.StringIO())


def test_command_refuses_an_unknown_format():
    with pytest.raises(CommandError):
        call_command("export_claims", "--format", "xml", stdout=io.StringIO(), stderr=io.StringIO())


def test_command_reports_an_unwritable_output(tmp_path):
    ReviewFactory(state=Review.State.PUBLISHED)
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "export_claims",
            "--output",
            str(tmp_path / "missing" / "x.json"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_a_failed_export_leaves_the_previous_file_untouched(tmp_path, monkeypatch):
    ReviewFactory(state=Review.State.PUBLISHED)
    target = tmp_path / "claims.ndjson"
    target.write_text("yesterday's export\n")

    def broken(claims):
        yield "half a line"
        raise RuntimeError("the database went away")

    monkeypatch.setitem(exports.FORMATS, "ndjson", dataclasses.replace(exports.FORMATS["ndjson"], write=broken))
    with pytest.raises(RuntimeError):
        call_command("export_claims", "--format", "ndjson", "--output", str(target), stdout=io.StringIO())
    assert target.read_text() == "yesterday's export\n"
    assert [path.name for path in tmp_path.iterdir()] == ["claims.ndjson"]


# --- the admin action --------------------------------------------------------------------------


@pytest.fixture
def admin_client(db, settings):
    # Admin pages render static urls; the test run has no collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(UserFactory(is_superuser=True))
    return client


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_admin_exports_the_selected_verified_claims(fmt, admin_client):
    first, _, third = make_varied_claims()
    unverified = Claim.objects.exclude(status=Claim.Status.VERIFIED).first()
    response = admin_client.post(
        "/admin/claims/claim/",
        {"action": f"export_{fmt}", "_selected_action": [first.pk, third.pk, unverified.pk]},
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == exports.FORMATS[fmt].content_type
    assert response["Content-Disposition"].startswith("attachment; filename=")
    body = b"".join(response.streaming_content).decode("utf-8")
    selected = exports.verified_claims().filter(pk__in=[first.pk, third.pk])
    expected = "".join(exports.FORMATS[fmt].write(exports.exported_claims(selected)))
    if fmt == "datafeed":
        body, expected = json.loads(body), json.loads(expected)
        body.pop("dateModified"), expected.pop("dateModified")
    assert body == expected
    follow = admin_client.get("/admin/claims/claim/")
    assert "1 selected claim(s) are not verified and were left out of the export." in follow.content.decode()


def test_admin_export_uses_the_shared_serialisation(admin_client):
    first = make_varied_claims()[0]
    response = admin_client.post("/admin/claims/claim/", {"action": "export_ndjson", "_selected_action": [first.pk]})
    (line,) = b"".join(response.streaming_content).decode().splitlines()
    (exported,) = exports.exported_claims(exports.verified_claims().filter(pk=first.pk))
    assert json.loads(line) == exported.detail


def test_article_without_published_review_has_no_rows():
    article = Article.objects.create(title="Empty", body="Nothing was said here.")
    assert list(exports.exported_claims(exports.filter_claims({"article": article.pk}))) == []


@pytest.mark.django_db(transaction=True)
def test_inside_or_outside_a_transaction_batches_are_read_in_the_calling_thread_with_the_same_result(monkeypatch):
    import threading

    from django.db import connection

    verified = make_varied_claims()
    assert not connection.in_atomic_block
    readers = set()
    read = reading.claim_rows

    def recording_read(*args):
        readers.add(threading.current_thread().name)
        return read(*args)

    monkeypatch.setattr(reading, "claim_rows", recording_read)
    outside = [claim.detail for claim in exports.exported_claims(exports.verified_claims(), batch_size=2)]
    assert readers == {threading.current_thread().name}
    assert [detail["id"] for detail in outside] == [claim.pk for claim in verified]

    readers.clear()
    with transaction.atomic():
        inside = [claim.detail for claim in exports.exported_claims(exports.verified_claims(), batch_size=2)]
    assert readers == {threading.current_thread().name}
    assert outside == inside


@pytest.mark.django_db(transaction=True)
def test_an_export_abandoned_half_way_leaves_no_connection_or_thread_behind():
    import threading

    from django.db import connection

    def sessions():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]

    make_varied_claims()
    before = sessions() if connection.vendor == "postgresql" else None
    threads = threading.active_count()
    claims = exports.exported_claims(exports.verified_claims(), batch_size=1)
    next(claims)
    assert threading.active_count() == threads
    claims.close()  # as when a client drops the download
    if before is not None:
        assert sessions() == before
