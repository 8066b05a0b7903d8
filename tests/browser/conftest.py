"""Fixtures of the browser tests: Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright from PyPI.

Every test in this folder is marked ``browser`` and runs with committed data (``live_server`` serves from
another thread). Each tab records CSP violations and script errors; ``Page.screenshot(name)`` saves a
full-page PNG under ``test-screenshots/`` (not committed) for a person to look at.
"""

import os
import re
from pathlib import Path

import pytest

from tests.factories import ReviewerFactory

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-screenshots"
# The narrow laptop screens newsrooms work on: the lists must fit them.
VIEWPORT = {"width": 1366, "height": 900}
# Run in every page before its own scripts: an event fires for every violation, reported or not.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).parent == here:
            item.add_marker(pytest.mark.browser)
            # live_server needs data committed where its thread can read it.
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def playwright_sync():
    module = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return module


@pytest.fixture(scope="module")
def browser(playwright_sync):
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

    def screenshot(self, name):
        """Save the whole page as ``test-screenshots/<name>.png``; return its path."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        self.tab.screenshot(path=str(path), full_page=True)
        return path

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
def new_page(browser, live_server):
    """Open a new tab in its own browser context (its own cookies): ``new_page()``, or ``new_page(user)``
    for a tab where ``user`` (made by a factory, password ``PASSWORD``) has logged in through the admin."""
    contexts = []

    def open_page(user=None):
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        page = Page(tab, live_server.url)
        if user is not None:
            login(page, user)
        return page

    yield open_page
    for context in contexts:
        context.close()


def login(page, user):
    page.open("/admin/login/")
    page.tab.fill("#id_username", user.username)
    page.tab.fill("#id_password", PASSWORD)
    page.tab.click("input[type=submit]")
    page.tab.wait_for_url(page.base_url + "/admin/")
    page.user = user
    return page


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def logged_in(new_page):
    """A reviewer logged in through the admin's login form."""
    return new_page(ReviewerFactory())
