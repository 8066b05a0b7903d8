"""The admin of fact-checks from elsewhere: the list with publisher and rating, search, the original's link,
and the editors' import form (a file or pasted text) through the same service, showing its report."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import ExternalFactCheck
from tests.claims.test_claimreview_import import claim_review
from tests.factories import EditorFactory, ExternalFactCheckFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/claims/externalfactcheck/"
IMPORT = "/admin/claims/externalfactcheck/import/"


def logged_in(client, factory):
    client.force_login(factory())
    return client


def test_the_list_shows_publisher_rating_and_a_link_to_the_original(client):
    ExternalFactCheckFactory(
        claim_reviewed="Troops liberated 30 towns.", publisher="Other Checks", rating_text="Mostly true", rating_value=4
    )
    ExternalFactCheckFactory(claim_reviewed="Inflation fell to 3%.", publisher="Third Checks", rating_value=None)
    html = logged_in(client, ReviewerFactory).get(LIST).content.decode()
    fact_check = ExternalFactCheck.objects.get(publisher="Other Checks")
    assert "Troops liberated 30 towns." in html
    assert "Other Checks" in html
    assert "Mostly true (4 of 5)" in html
    assert f'href="{fact_check.url}"' in html
    assert "Import ClaimReview" not in html  # reviewers do not import
    found = client.get(LIST, {"q": "liberated"}).content.decode()
    assert "Troops liberated 30 towns." in found
    assert "Inflation fell" not in found


def test_a_fact_check_page_is_read_only_with_its_claimreview(client):
    fact_check = ExternalFactCheckFactory()
    html = logged_in(client, EditorFactory).get(f"{LIST}{fact_check.pk}/change/").content.decode()
    assert "ClaimReview as imported" in html
    assert 'name="_save"' not in html
    assert client.post(f"{LIST}{fact_check.pk}/change/", {"claim_reviewed": "x"}).status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403


def test_an_editor_imports_a_file_and_sees_the_report(client):
    logged_in(client, EditorFactory)
    assert "Import ClaimReview" in client.get(LIST).content.decode()
    upload = SimpleUploadedFile("feed.json", json.dumps([claim_review(1), claim_review(2)]).encode())
    page = client.post(IMPORT, {"file": upload})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Imported 2 of 2 items: 2 created" in html
    assert ExternalFactCheck.objects.count() == 2
    assert claim_review(1)["url"] in html


def test_pasted_text_with_an_invalid_item_stores_nothing_unless_told_to_skip(client):
    logged_in(client, EditorFactory)
    text = json.dumps([claim_review(1), {"@type": "ClaimReview", "url": "https://x.example/2"}])
    html = client.post(IMPORT, {"text": text}).content.decode()
    assert "Nothing imported: 1 of 2 items are invalid" in html
    assert "claimReviewed is missing." in html
    assert ExternalFactCheck.objects.count() == 0
    html = client.post(IMPORT, {"text": text, "skip_invalid": "on"}).content.decode()
    assert "Imported 1 of 2 items" in html
    assert ExternalFactCheck.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a file or paste the document"),
        ({"text": "not json"}, "Neither JSON nor an HTML page"),
        ({"file": SimpleUploadedFile("feed.json", b"\xff\xfe")}, "not UTF-8"),
    ],
)
def test_the_import_form_refuses_what_it_cannot_read(client, data, message):
    html = logged_in(client, EditorFactory).post(IMPORT, data).content.decode()
    assert message in html
    assert ExternalFactCheck.objects.count() == 0


def test_reviewers_cannot_open_the_import_form(client):
    logged_in(client, ReviewerFactory)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"text": json.dumps(claim_review(1))}).status_code == 403
    assert ExternalFactCheck.objects.count() == 0
