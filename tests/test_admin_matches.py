"""Recurring claims in the admin: the suggestion panel with Confirm / Reject, Undo, a reviewed claim's appearances."""

import pytest
from django.test import Client

from claims import services
from claims.models import Claim, ClaimMatch
from tests.factories import ArticleFactory, ClaimFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db

PARAPHRASE = "Troops liberated more than 30 towns in two days, the president said."


@pytest.fixture
def reviewer_admin():
    client = Client(enforce_csrf_checks=True)
    client.force_login(ReviewerFactory())
    return client


@pytest.fixture
def suggested():
    reviewed = ClaimFactory(sentence=1, verified=True)
    article = ArticleFactory(body=f"Another outlet. {PARAPHRASE}")
    claim = services.create_claim(article=article, quote=PARAPHRASE)
    return claim, reviewed


def page(client, claim):
    return client.get(f"/admin/claims/claim/{claim.pk}/change/")


def csrf(client, claim):
    response = page(client, claim)
    return response.context["csrf_token"] if response.context else client.cookies["csrftoken"].value


def test_the_panel_shows_the_suggestion_with_its_verdict_and_score_and_confirm_works(reviewer_admin, suggested):
    claim, reviewed = suggested
    html = page(reviewer_admin, claim).content.decode()
    assert "Suggested match (score" in html and f"claim {reviewed.pk}</a>" in html and reviewed.verdict in html
    assert f'formaction="/admin/claims/claim/{claim.pk}/match/confirm/"' in html
    token = csrf(reviewer_admin, claim)
    confirm = f"/admin/claims/claim/{claim.pk}/match/confirm/"
    response = reviewer_admin.post(confirm, {"match_claim": reviewed.pk, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.VERIFIED and claim.matched_to == reviewed.pk
    html = page(reviewer_admin, claim).content.decode()
    assert "Undo the match" in html
    assert f"claim {claim.pk}</a>" in page(reviewer_admin, reviewed).content.decode()  # its appearances
    undo = f"/admin/claims/claim/{claim.pk}/match/undo/"
    reviewer_admin.post(undo, {"csrfmiddlewaretoken": csrf(reviewer_admin, claim)})
    claim.refresh_from_db()
    assert (claim.status, claim.matched_to) == (Claim.Status.ACCEPTED, None)


def test_reject_and_the_refusals(reviewer_admin, suggested):
    claim, reviewed = suggested
    url = f"/admin/claims/claim/{claim.pk}/match/"
    assert reviewer_admin.get(url + "reject/").status_code == 405
    assert reviewer_admin.post(url + "reject/", {"match_claim": reviewed.pk}).status_code == 403  # no CSRF token
    response = reviewer_admin.post(
        url + "reject/", {"match_claim": reviewed.pk, "csrfmiddlewaretoken": csrf(reviewer_admin, claim)}, follow=True
    )
    assert "will not be suggested again" in response.content.decode()
    assert ClaimMatch.objects.get(claim=claim).state == ClaimMatch.State.REJECTED
    response = reviewer_admin.post(url + "undo/", {"csrfmiddlewaretoken": csrf(reviewer_admin, claim)}, follow=True)
    assert "Nothing was changed" in response.content.decode()


def test_staff_outside_the_newsroom_cannot_decide(suggested):
    claim, reviewed = suggested
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    response = client.post(f"/admin/claims/claim/{claim.pk}/match/confirm/", {"match_claim": reviewed.pk})
    assert response.status_code in (403, 302)
    assert ClaimMatch.objects.get(claim=claim).state == ClaimMatch.State.SUGGESTED
