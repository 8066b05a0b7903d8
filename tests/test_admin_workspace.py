"""The admin's landing page (/admin/): what needs me now, by role (reviews/workspace.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from reviews import workspace
from reviews.models import Review
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {"alice": ReviewerFactory(username="alice"), "bob": ReviewerFactory(username="bob"), "ed": EditorFactory()}


def make_work(people, n):
    """``n`` items for each of alice's sections, and the same of bob's work (which alice must not see as hers)."""
    for i in range(n):
        ClaimFactory(status=Claim.Status.CANDIDATE, check_worthiness=0.5 + i / (4 * n), claimant=f"Candidate {i}")
        ClaimFactory(assignee=people["alice"], claimant=f"Assigned to alice {i}")
        ClaimFactory(assignee=people["bob"], claimant=f"Assigned to bob {i}")
        for who in ("alice", "bob"):
            ReviewFactory(author=people[who], state="draft", summary=f"{who} draft {i}")
            ReviewFactory(author=people[who], state="draft", editor_comment=f"{who}: cite the ministry ({i}).")
            ReviewFactory(author=people[who], state="submitted", submitted_at="2026-11-01T10:00:00Z")
        ReviewFactory(author=people["bob"], state="published")


def landing(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def section(html, key):
    match = re.search(rf'<section[^>]*id="workspace-{key}".*?</section>', html, re.S)
    assert match, key
    return match.group(0)


def count_of(html, key):
    return re.search(r'class="workspace-count">([^<]*)<', section(html, key)).group(1)


def test_a_reviewer_sees_their_own_work_and_never_another_reviewers_drafts(client, people):
    make_work(people, 3)
    html = landing(client, people["alice"])

    assert [count_of(html, key) for key in ("triage", "assigned", "drafts", "returned", "waiting", "published")] == [
        "3",
        "3",
        "3",
        "3",
        "3",  # her own submitted reviews, not bob's
        "3",
    ]
    assert "Submitted, waiting for an editor" in html
    assert "Assigned to alice" in section(html, "assigned")
    assert "Assigned to bob" not in html
    assert "bob: cite the ministry" not in html
    bobs = Review.objects.filter(author=people["bob"], state__in=["draft", "submitted"]).values_list("pk", flat=True)
    for pk in bobs:
        assert f"/admin/reviews/review/{pk}/change/" not in html


def test_a_returned_draft_shows_the_editors_comment(client, people):
    returned = ReviewFactory(author=people["alice"], state="draft", editor_comment="Cite the ministry's own figures.")
    html = section(landing(client, people["alice"]), "returned")

    assert f'href="/admin/reviews/review/{returned.pk}/change/"' in html
    assert "Cite the ministry&#x27;s own figures." in html
    assert "workspace-comment" in html
    assert "Cite the ministry" not in section(landing(client, people["alice"]), "drafts")


def test_candidates_come_highest_check_worthiness_first(client, people):
    low = ClaimFactory(status=Claim.Status.CANDIDATE, check_worthiness=0.2)
    high = ClaimFactory(status=Claim.Status.CANDIDATE, check_worthiness=0.9)
    ClaimFactory(status=Claim.Status.ACCEPTED, check_worthiness=1.0)
    html = section(landing(client, people["alice"]), "triage")

    assert html.index(f"/admin/claims/claim/{high.pk}/change/") < html.index(f"/admin/claims/claim/{low.pk}/change/")
    assert count_of(html, "triage") == "2"


def test_verified_and_dismissed_claims_are_no_longer_work(client, people):
    ClaimFactory(assignee=people["alice"], verified=True)
    ClaimFactory(assignee=people["alice"], status=Claim.Status.DISMISSED)
    open_claim = ClaimFactory(assignee=people["alice"], status=Claim.Status.IN_REVIEW)
    html = landing(client, people["alice"])
    assert count_of(html, "assigned") == "1"
    assert f"/admin/claims/claim/{open_claim.pk}/change/" in section(html, "assigned")


def test_an_editor_sees_every_submitted_review_waiting_for_approval(client, people):
    make_work(people, 2)
    html = landing(client, people["ed"])

    assert "Waiting for my approval" in html
    assert count_of(html, "waiting") == "4"
    assert count_of(html, "drafts") == "0"
    assert "You have no drafts." in html


def test_staff_outside_the_newsroom_get_the_app_list_only(client):
    html = landing(client, UserFactory(is_superuser=False))
    assert 'id="workspace"' not in html
    assert 'class="app-' in html or "You don’t have permission" in html


def test_the_app_list_stays_on_the_page(client, people):
    html = landing(client, people["ed"])
    assert 'id="workspace"' in html
    assert html.index('id="workspace"') < html.index('class="app-claims')
    assert "/admin/claims/claim/" in html


def test_counts_stop_at_the_cap(client, people, monkeypatch):
    monkeypatch.setattr(workspace, "COUNT_CAP", 2)
    make_work(people, 3)
    html = landing(client, people["alice"])
    assert count_of(html, "triage") == "2+"
    assert len(re.findall(r"<li>", section(html, "triage"))) == 3


def test_the_page_shows_at_most_five_items_per_section(client, people):
    make_work(people, 7)
    html = landing(client, people["alice"])
    assert count_of(html, "drafts") == "7"
    assert len(re.findall(r"<li>", section(html, "drafts"))) == workspace.ITEMS


@pytest.mark.parametrize("key", ["triage", "assigned", "drafts", "returned", "waiting", "published"])
def test_see_all_opens_the_list_filtered_the_same_way(client, people, key):
    make_work(people, 3)
    html = section(landing(client, people["alice"]), key)
    url = re.search(r'<p class="workspace-all"><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    listed = client.get(url)
    assert listed.status_code == 200, url
    shown = set(re.findall(r'href="(/admin/(?:claims/claim|reviews/review)/\d+/change/)', html))
    in_list = set(re.findall(r'href="(/admin/(?:claims/claim|reviews/review)/\d+/change/)', listed.content.decode()))
    assert shown and shown <= in_list, (key, url)


@pytest.mark.parametrize("user", ["alice", "ed"])
def test_the_landing_page_makes_the_same_queries_with_3_or_30_items_per_section(client, people, user):
    client.force_login(people[user])
    make_work(people, 3)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/").status_code == 200
    make_work(people, 27)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/admin/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), "\n".join(q["sql"] for q in many.captured_queries)
    assert len(few.captured_queries) <= 20
