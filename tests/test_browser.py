"""The HTML pages work in a real browser under the Content-Security-Policy, and break none of it.

Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) loads each page from the live server;
a page passes when what it exists to show is visible and the browser reported no CSP violation and no
script error. Skipped when Playwright or Chromium is absent (``.ci/run`` installs Chromium).
"""

import os
from pathlib import Path

import pytest

from reviews.models import Review
from tests.factories import ClaimFactory, EvidenceFactory, ReviewerFactory, ReviewFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
# Run in every page before its own scripts: an event fires for every violation, reported or not.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""

playwright_sync = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
    # live_server needs data committed where its thread can read it.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make while it
    # runs are ordinary synchronous ones.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Page:
    """A browser tab that records CSP violations and script errors while it loads pages."""

    def __init__(self, tab, base_url):
        self.tab = tab
        self.base_url = base_url
        self.problems = []
        tab.on("console", self._console)
        tab.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        tab.add_init_script(RECORD_VIOLATIONS)

    def _console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"console: {message.text}")

    def open(self, path):
        self._collect()
        response = self.tab.goto(self.base_url + path)
        assert response.status == 200, (path, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        return response

    def _collect(self):
        """Keep what the page in the tab recorded before it is left."""
        self.problems += self.tab.evaluate("window.__violations || []")
        self.tab.evaluate("window.__violations = []")

    def assert_no_violations(self, expected_block=None):
        """Once the page's scripts and requests are done, nothing was blocked and no script failed.

        ``expected_block``: a URL the policy is meant to block (and the page copes without).
        """
        self.tab.wait_for_load_state("networkidle")
        self._collect()
        problems = self.problems
        if expected_block:
            problems = [problem for problem in problems if expected_block not in problem]
        assert not problems, "\n".join(problems)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield Page(tab, live_server.url)
    context.close()


@pytest.fixture
def logged_in(page):
    """A reviewer logged in through the admin's login form."""
    user = ReviewerFactory()
    page.open("/admin/login/")
    page.tab.fill("#id_username", user.username)
    page.tab.fill("#id_password", PASSWORD)
    page.tab.click("input[type=submit]")
    page.tab.wait_for_url(page.base_url + "/admin/")
    page.user = user
    return page


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
