"""The HTML pages work in a real browser under the Content-Security-Policy, and break none of it.

Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) loads each page from the live server;
a page passes when what it exists to show is visible and the browser reported no CSP violation and no
script error. Skipped when Playwright or Chromium is absent (``.ci/run`` installs Chromium); the fixtures are in
``tests/browser/conftest.py``.
"""

from reviews.models import Review
from tests.factories import ClaimFactory, EvidenceFactory, ReviewFactory


def test_admin_login_and_index_work_without_csp_violations(logged_in):
    assert logged_in.tab.locator("#site-name").is_visible()
    logged_in.assert_no_violations()


def test_admin_claim_list_and_claim_page_work_without_csp_violations(logged_in):
    claim = ClaimFactory()
    logged_in.open("/admin/claims/claim/")
    assert logged_in.tab.locator("#result_list").is_visible()
    logged_in.open(f"/admin/claims/claim/{claim.pk}/change/")
    assert logged_in.tab.locator("mark").inner_text() == claim.quote
    logged_in.assert_no_violations()


def test_admin_review_is_added_with_the_claim_autocomplete_then_shown_with_its_history(logged_in):
    claim = ClaimFactory()
    logged_in.open("/admin/reviews/review/add/")
    # The claim autocomplete (select2) opens, fetches its choices from the admin and takes one.
    logged_in.tab.click(".select2-selection")
    logged_in.tab.locator(".select2-results__option", has_text=claim.quote[:40]).click()
    logged_in.tab.select_option("#id_verdict", "false")
    logged_in.tab.fill("#id_summary", "Official figures contradict it.")
    logged_in.tab.click("input[name=_continue]")
    logged_in.tab.locator(".messagelist .success").wait_for()
    review = Review.objects.get(claim=claim)
    assert review.summary == "Official figures contradict it."
    # The evidence inline's "add another" row is built by the admin's scripts.
    logged_in.tab.get_by_text("Add another Evidence").click()
    assert logged_in.tab.locator(".dynamic-evidence").count() >= 1
    logged_in.open(f"/admin/reviews/review/{review.pk}/history/")
    assert logged_in.tab.locator("#change-history").is_visible()
    logged_in.assert_no_violations()


def test_public_review_page_works_without_csp_violations(page):
    review = ReviewFactory(state=Review.State.PUBLISHED)
    EvidenceFactory(review=review)
    page.open(f"/reviews/{review.pk}/")
    # The page's stylesheet (inline, with the nonce) applied.
    assert page.tab.locator(".verdict").evaluate("e => getComputedStyle(e).display") == "inline-block"
    assert page.tab.locator("script[type='application/ld+json']").count() == 1
    page.assert_no_violations()


def test_swagger_ui_renders_the_operations_without_csp_violations(page):
    page.open("/api/v1/docs/")
    operations = page.tab.locator(".opblock")
    operations.first.wait_for()
    assert operations.count() > 20
    page.assert_no_violations()


def test_redoc_renders_the_operations_without_csp_violations(page):
    page.open("/api/v1/redoc/")
    page.tab.get_by_text("Factcheck API").first.wait_for()
    page.tab.locator("[role=menuitem]").first.wait_for()
    assert page.tab.locator("[role=menuitem]").count() > 20
    # Redoc's bundle hard-codes its maker's logo from a CDN; blocking it keeps the docs offline and
    # the reader's browser off third parties, and Redoc hides the image when it fails to load.
    page.assert_no_violations(expected_block="https://cdn.redoc.ly/redoc/logo-mini.svg")
