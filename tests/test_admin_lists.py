"""The claim and review lists' columns and filters: assignee, returned drafts, my reviews."""

import re

import pytest

from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "alice": ReviewerFactory(username="alice"),
        "bob": ReviewerFactory(username="bob"),
        "ed": EditorFactory(username="ed"),
        "outsider": UserFactory(username="outsider"),
    }


def listed(client, url, model="claims/claim"):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    return html, {int(pk) for pk in re.findall(rf'href="/admin/{model}/(\d+)/change/', html)}


def test_the_claim_list_filters_by_assignee(client, people):
    mine, bobs, nobodys = ClaimFactory(assignee=people["alice"]), ClaimFactory(assignee=people["bob"]), ClaimFactory()
    client.force_login(people["alice"])

    assert listed(client, "/admin/claims/claim/?assignee=me")[1] == {mine.pk}
    assert listed(client, "/admin/claims/claim/?assignee=bob")[1] == {bobs.pk}
    assert listed(client, "/admin/claims/claim/?assignee=none")[1] == {nobodys.pk}
    assert listed(client, "/admin/claims/claim/?assignee=nobody")[1] == set()


def test_the_assignee_filter_offers_me_unassigned_and_the_newsroom_only(client, people):
    client.force_login(people["ed"])
    html, _ = listed(client, "/admin/claims/claim/")
    choices = re.findall(r'href="\?assignee=([^"&]+)"', html)
    assert choices == ["me", "none", "alice", "bob", "ed"]


def test_the_claim_list_shows_the_assignee_and_cuts_long_quotes_with_a_tooltip(client, people):
    claim = ClaimFactory(assignee=people["bob"])
    long_claimant = "The Deputy Head of the Presidential Office for Regional Policy"
    ClaimFactory(claimant=long_claimant)
    client.force_login(people["alice"])
    html, _ = listed(client, "/admin/claims/claim/")

    assert re.search(r'<td class="field-assignee_name">bob</td>', html)
    assert f'<span title="{long_claimant}">' in html
    assert f'<td class="field-worthiness">{claim.check_worthiness:.2f}</td>' in html


def test_the_review_list_filters_returned_drafts_and_my_reviews(client, people):
    returned = ReviewFactory(author=people["alice"], state="draft", editor_comment="Cite the ministry.")
    draft = ReviewFactory(author=people["alice"], state="draft")
    submitted = ReviewFactory(author=people["alice"], state="submitted")
    others = ReviewFactory(author=people["bob"], state="submitted")
    client.force_login(people["alice"])

    model = "reviews/review"
    assert listed(client, "/admin/reviews/review/?returned=yes&author=me", model)[1] == {returned.pk}
    assert listed(client, "/admin/reviews/review/?returned=no&author=me", model)[1] == {draft.pk, submitted.pk}
    assert listed(client, f"/admin/reviews/review/?author={people['bob'].pk}", model)[1] == {others.pk}
    assert listed(client, "/admin/reviews/review/?author=x", model)[1] == set()
