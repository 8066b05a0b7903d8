"""The claim's page in Chromium, as a reviewer and an editor use it: score and reasons, triage, assignment,
"Create a review", each step a plain form post. Screenshots under test-screenshots/claim-page-*.png."""

from claims.models import Claim
from reviews.models import Review
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory

REASONS = ["model 0.91: “percent”", "number", "named source"]


def test_a_reviewer_accepts_takes_and_starts_a_review_of_a_candidate_claim(new_page):
    reviewer = ReviewerFactory(username="rita")
    claim = ClaimFactory(status=Claim.Status.CANDIDATE, check_worthiness=0.87, check_worthiness_reasons=REASONS)
    page = new_page(reviewer)
    tab = page.tab

    page.open(f"/admin/claims/claim/{claim.pk}/change/")
    assert tab.locator(".claim-score").inner_text() == "0.87"
    assert tab.locator(".claim-reasons li").all_inner_texts() == REASONS
    # A reviewer is never offered what only editors do.
    assert tab.locator("button", has_text="Dismiss").count() == 0
    assert tab.locator("#claim-assign-to").count() == 0
    page.screenshot("claim-page-1-reviewer-candidate")

    tab.get_by_role("button", name="Accept").click()
    tab.locator(".messagelist .success", has_text="accepted for review").wait_for()
    assert tab.locator(".claim-status").inner_text() == "Accepted"
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.ACCEPTED

    tab.get_by_role("button", name="Take this claim").click()
    tab.locator(".messagelist .success", has_text="You are assigned").wait_for()
    assert tab.locator(".claim-assignee").inner_text() == "rita"
    assert tab.get_by_role("button", name="Release").is_visible()
    assert Claim.objects.get(pk=claim.pk).assignee == reviewer
    page.screenshot("claim-page-2-reviewer-accepted-and-taken")

    tab.get_by_role("link", name="Create a review").click()
    tab.wait_for_url(f"**/admin/reviews/review/add/?claim={claim.pk}")
    # The claim autocomplete (select2) shows the claim already chosen.
    assert claim.quote[:30] in tab.locator("#select2-id_claim-container").inner_text()
    tab.select_option("#id_verdict", "mostly_false")
    tab.fill("#id_summary", "The ministry's own figures say otherwise.")
    page.screenshot("claim-page-3-review-add-form-prefilled")
    tab.click("input[name=_continue]")
    tab.locator(".messagelist .success").wait_for()
    review = Review.objects.get(claim=claim)
    assert (review.author, review.state, review.verdict) == (reviewer, Review.State.DRAFT, "mostly_false")

    page.open(f"/admin/claims/claim/{claim.pk}/change/")
    assert tab.locator(".claim-status").inner_text() == "In review"
    assert tab.get_by_role("link", name="Continue your draft").is_visible()
    assert tab.locator(".claim-reviews tbody tr").count() == 1
    assert tab.locator("button", has_text="Dismiss").count() == 0
    page.screenshot("claim-page-4-reviewer-in-review")
    page.assert_no_violations()


def test_an_editor_dismisses_and_reassigns_and_a_reviewer_sees_neither(new_page):
    rita, sam = ReviewerFactory(username="rita"), ReviewerFactory(username="sam")
    editor = EditorFactory(username="edna")
    claim = ClaimFactory(status=Claim.Status.CANDIDATE, assignee=rita, check_worthiness_reasons=REASONS)
    page = new_page(editor)
    tab = page.tab

    page.open(f"/admin/claims/claim/{claim.pk}/change/")
    assert tab.get_by_role("button", name="Dismiss").is_visible()
    assert tab.locator(".claim-assignee").inner_text() == "rita"
    page.screenshot("claim-page-5-editor-candidate")
    tab.select_option("#claim-assign-to", label="sam")
    tab.get_by_role("button", name="Assign", exact=True).click()
    tab.locator(".messagelist .success", has_text="Assigned to sam.").wait_for()
    assert tab.locator(".claim-assignee").inner_text() == "sam"
    assert Claim.objects.get(pk=claim.pk).assignee == sam
    page.screenshot("claim-page-6-editor-reassigned")

    tab.get_by_role("button", name="Dismiss").click()
    tab.locator(".messagelist .success", has_text="dismissed").wait_for()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DISMISSED
    # A dismissed claim is not reviewed: it is accepted or reopened first.
    assert tab.get_by_role("link", name="Create a review").count() == 0
    page.screenshot("claim-page-7-editor-dismissed")
    page.assert_no_violations()

    reviewer_page = new_page(rita)
    reviewer_page.open(f"/admin/claims/claim/{claim.pk}/change/")
    assert reviewer_page.tab.locator("button", has_text="Dismiss").count() == 0
    assert reviewer_page.tab.locator("#claim-assign-to").count() == 0
    assert reviewer_page.tab.locator("button", has_text="Take this claim").count() == 0  # sam has it
    assert reviewer_page.tab.get_by_role("button", name="Accept").is_visible()
    reviewer_page.screenshot("claim-page-8-other-reviewer-dismissed")
    reviewer_page.assert_no_violations()
