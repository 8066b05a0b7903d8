"""A review's page in Chromium, as a reviewer and an editor use it: submit, return with a comment, fix and
resubmit, publish; the steps each sees are the ones they may take; no CSP violation on the way.

Screenshots of each page go to ``test-screenshots/review-*.png``.
"""

from claims.models import Claim
from reviews.models import Review
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory

COMMENT = "Add the statistics office's own table, not the press release."


def review_page(review):
    return f"/admin/reviews/review/{review.pk}/change/"


def steps_on(page):
    """The workflow buttons the page shows, by their label."""
    return [label.strip() for label in page.tab.locator(".review-step button").all_inner_texts()]


def test_a_review_goes_from_draft_to_published_through_the_buttons_on_its_page(new_page):
    reviewer, editor = ReviewerFactory(), EditorFactory()
    claim = ClaimFactory(in_review=True, review__author=reviewer, review__evidence=2)
    review = claim.reviews.get()

    # The reviewer's draft: the claim in its article, the evidence by stance, Submit.
    author = new_page(reviewer)
    author.open(review_page(review))
    assert author.tab.locator(".review-in-context mark").inner_text() == claim.quote
    assert author.tab.locator(".review-panel-evidence").is_visible()
    assert steps_on(author) == ["Submit for approval"]
    author.screenshot("review-1-draft-reviewer")
    author.tab.click(".review-step-submit button")
    author.tab.locator(".messagelist .success").wait_for()
    assert Review.objects.get(pk=review.pk).state == "submitted"
    assert "waiting for an editor" in author.tab.locator(".review-status-line").inner_text()
    assert steps_on(author) == []
    assert author.tab.locator("input[name=_save]").count() == 0
    author.screenshot("review-2-submitted-reviewer")
    author.assert_no_violations()

    # The editor: Publish, and Return with a comment (required: an empty one is not even sent).
    desk = new_page(editor)
    desk.open(review_page(review))
    assert steps_on(desk) == ["Publish", "Return to draft"]
    desk.screenshot("review-3-submitted-editor")
    desk.tab.click(".review-step-return_to_draft button")
    assert Review.objects.get(pk=review.pk).state == "submitted"  # the browser asked for the comment first
    desk.tab.fill("#review-return-comment", COMMENT)
    desk.tab.click(".review-step-return_to_draft button")
    desk.tab.locator(".messagelist .success").wait_for()
    assert Review.objects.get(pk=review.pk).state == "draft"
    desk.assert_no_violations()

    # The reviewer sees the comment at the top, fixes the summary, saves and submits again.
    author.open(review_page(review))
    callout = author.tab.locator(".review-callout")
    assert COMMENT in callout.inner_text()
    assert editor.username in callout.inner_text()
    assert callout.evaluate("e => getComputedStyle(e).borderLeftWidth") == "6px"  # the stylesheet applied
    author.screenshot("review-4-returned-reviewer")
    author.tab.fill("#id_summary", "The statistics office's table gives 200, not 2,000.")
    author.tab.click("input[name=_continue]")
    author.tab.locator(".messagelist .success").wait_for()
    author.tab.click(".review-step-submit button")
    author.tab.locator(".messagelist .success").wait_for()
    resubmitted = Review.objects.get(pk=review.pk)
    assert (resubmitted.state, resubmitted.summary) == (
        "submitted",
        "The statistics office's table gives 200, not 2,000.",
    )
    author.assert_no_violations()

    # The editor publishes; the page then reads as a document, with a correction to start.
    desk.open(review_page(review))
    assert f"Resubmitted after {editor.username} returned it" in desk.tab.locator(".review-callout").inner_text()
    desk.tab.click(".review-step-publish button")
    desk.tab.locator(".messagelist .success").wait_for()
    assert Review.objects.get(pk=review.pk).state == "published"
    assert Claim.objects.get(pk=claim.pk).status == "verified"
    assert desk.tab.locator("input[name=_save], input[name=_continue]").count() == 0
    assert steps_on(desk) == ["Start a correction"]
    assert desk.tab.locator(".review-panel-document").is_visible()
    assert desk.tab.locator(".review-panel-record").is_visible()
    desk.screenshot("review-5-published-editor")
    desk.assert_no_violations()

    # The reviewer: the document, never Publish or Return (a correction is a new review, which reviewers may
    # start as the API lets them; an editor publishes it).
    author.open(review_page(review))
    assert not {"Publish", "Return to draft"} & set(steps_on(author))
    assert author.tab.locator("input[name=_save]").count() == 0
    author.screenshot("review-6-published-reviewer")
    author.assert_no_violations()

    # The editor starts a correction: a new draft, prefilled, that says what it corrects.
    desk.tab.click(".review-step-start_correction button")
    desk.tab.locator(".messagelist .success").wait_for()
    correction = Review.objects.exclude(pk=review.pk).get(claim=claim)
    assert desk.tab.url.endswith(review_page(correction))
    assert desk.tab.locator("#id_summary").input_value() == resubmitted.summary
    assert f"correction of review {review.pk}" in desk.tab.locator(".review-status-line").inner_text()
    desk.screenshot("review-7-correction-editor")
    desk.assert_no_violations()


def test_a_draft_without_evidence_shows_submit_disabled_with_the_reason(new_page):
    reviewer = ReviewerFactory()
    claim = ClaimFactory(in_review=True, review__author=reviewer, review__evidence=0)
    review = claim.reviews.get()
    page = new_page(reviewer)
    page.open(review_page(review))
    button = page.tab.locator(".review-step-submit button")
    assert button.is_disabled()
    assert "Attach at least one piece of evidence" in page.tab.locator(".review-step-missing").inner_text()
    page.screenshot("review-8-draft-without-evidence")
    page.assert_no_violations()
