"""The claim and review lists fit a 1,366 px screen: with the filters beside them, the columns a reviewer needs
first (quote, claimant, status, verdict, score, assignee) are fully visible without scrolling sideways, with
realistic data (long quotes, long claimant names). Screenshots: ``test-screenshots/list-*.png``."""

import pytest

from claims.models import Claim
from tests.browser.conftest import PASSWORD, VIEWPORT
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, ReviewerFactory, ReviewFactory

LONG_QUOTE = (
    "The Ministry of Defence said on Saturday that its forces had destroyed more than 2,000 armoured vehicles, "
    "430 artillery systems and 86 aircraft since the start of the offensive in the east of the country, adding "
    "that the figures had been confirmed by three independent monitoring groups working in the region"
)
LONG_CLAIMANT = "The Deputy Head of the Presidential Office for Regional Policy and Local Self-Government"


@pytest.fixture
def newsroom():
    alice = ReviewerFactory(username="alexandra.kowalczyk-brennan", password=PASSWORD)
    editor = EditorFactory(username="editor.in.chief", password=PASSWORD)
    article = ArticleFactory(
        title="Live: the offensive in the east, day 214 — what we know about the front line this morning",
        body=" ".join([LONG_QUOTE + "."] * 12),
    )
    step = len(LONG_QUOTE) + 2
    for n in range(12):
        start = n * step
        ClaimFactory(
            article=article,
            quote=LONG_QUOTE,
            start=start,
            end=start + len(LONG_QUOTE),
            claimant=LONG_CLAIMANT,
            check_worthiness=0.5 + n / 30,
            check_worthiness_reasons=["number", "named source"],
            status=Claim.Status.ACCEPTED if n % 2 else Claim.Status.CANDIDATE,
            assignee=alice if n % 3 == 0 else None,
        )
    for claim in Claim.objects.all()[:6]:
        ReviewFactory(claim=claim, author=alice, state="draft", verdict="mostly_false")
    return {"reviewer": alice, "editor": editor}


def header_and_cells(page, column):
    """The bounding boxes of a column's header and of its cells on the page."""
    header = page.tab.locator(f"#result_list thead th.column-{column}")
    cells = page.tab.locator(f"#result_list tbody td.field-{column}, #result_list tbody th.field-{column}")
    assert header.count() == 1, column
    assert cells.count() > 0, column
    return [header.bounding_box()] + [cells.nth(i).bounding_box() for i in range(cells.count())]


def assert_fully_visible(page, columns):
    width = page.tab.evaluate("document.documentElement.clientWidth")
    assert width <= VIEWPORT["width"]
    assert page.tab.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    results_scroll = page.tab.evaluate(
        "(() => { const r = document.querySelector('.results'); return r.scrollWidth - r.clientWidth; })()"
    )
    assert results_scroll <= 0, "the list scrolls sideways inside its box"
    filters = page.tab.locator("#changelist-filter").bounding_box()
    for column in columns:
        for box in header_and_cells(page, column):
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (column, box, width)
            # Left of the filter sidebar, not under it.
            assert box["x"] + box["width"] <= filters["x"] + 1, (column, box, filters)


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_the_claim_list_shows_what_a_reviewer_needs_first_at_1366_px(new_page, newsroom, role):
    page = new_page(newsroom[role])
    page.open("/admin/claims/claim/")
    page.screenshot(f"list-claims-{role}")
    assert_fully_visible(page, ["short_quote", "short_claimant", "status", "verdict", "worthiness", "assignee_name"])
    # Long texts are cut, with the whole of them as the tooltip.
    quote = page.tab.locator("#result_list tbody .field-short_quote span[title]").first
    assert quote.get_attribute("title") == LONG_QUOTE
    assignee = page.tab.locator("#result_list tbody .field-assignee_name span[title]").first
    assert assignee.get_attribute("title") == newsroom["reviewer"].username
    page.assert_no_violations()


def test_the_claim_list_filters_by_assignee(new_page, newsroom):
    page = new_page(newsroom["reviewer"])
    page.open("/admin/claims/claim/")
    page.tab.locator("#changelist-filter a", has_text="Me").first.click()
    page.tab.wait_for_url("**/admin/claims/claim/?assignee=me")
    assert page.tab.locator("#result_list tbody tr").count() == 4
    page.screenshot("list-claims-assigned-to-me")
    page.assert_no_violations()


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_the_review_list_shows_claim_claimant_state_verdict_at_1366_px(new_page, newsroom, role):
    page = new_page(newsroom[role])
    page.open("/admin/reviews/review/")
    page.screenshot(f"list-reviews-{role}")
    assert_fully_visible(page, ["short_claim", "claimant", "state", "verdict", "author", "updated_at"])
    page.assert_no_violations()
