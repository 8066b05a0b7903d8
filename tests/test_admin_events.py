"""The events in the admin (``reviews.admin.EventAdmin``): read-only, for editors and superusers, by type."""

import pytest
from django.test import Client

from reviews.models import Event
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_editors_list_events_by_type_and_open_one_read_only():
    claim = ClaimFactory(verified=True)
    editor = admin_client(EditorFactory())
    html = editor.get("/admin/reviews/event/").content.decode()
    assert "claim.verified" in html and "review.published" in html and "review.submitted" in html
    assert f'href="/admin/claims/claim/{claim.pk}/change/"' in html
    filtered = editor.get("/admin/reviews/event/", {"type__exact": "claim.verified"})
    assert filtered.status_code == 200
    assert list(filtered.context["cl"].result_list) == list(Event.objects.filter(type="claim.verified"))
    event = Event.objects.get(type="claim.verified")
    page = editor.get(f"/admin/reviews/event/{event.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "As everyone else saw it" in text and "&quot;verdict&quot;: &quot;false&quot;" in text
    assert 'name="_save"' not in text
    assert editor.get("/admin/reviews/event/add/").status_code == 403
    assert editor.post(f"/admin/reviews/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_reviewers_do_not_see_the_events_admin():
    ClaimFactory(verified=True)
    assert admin_client(ReviewerFactory()).get("/admin/reviews/event/").status_code == 403
