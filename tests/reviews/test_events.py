"""Events (``reviews.events``) from the paths outside the API: the seed loader, the commands, the demo data."""

from io import StringIO

import pytest
from django.core.management import call_command

from claims.models import Claim
from reviews import events, matches, workflow
from reviews.models import Event, EventType
from tests.factories import ClaimFactory, EditorFactory

pytestmark = pytest.mark.django_db


def test_the_seed_loader_announces_each_claim_it_creates_once():
    call_command("load_seed", stdout=StringIO())
    claims = set(Claim.objects.values_list("pk", flat=True))
    assert claims
    created = Event.objects.filter(type="claim.created")
    assert set(created.values_list("object_id", flat=True)) == claims
    assert all(event.actor is None and event.public_data is None for event in created)
    call_command("load_seed", stdout=StringIO())  # idempotent: nothing new, nothing announced
    assert Event.objects.filter(type="claim.created").count() == len(claims)


def test_the_demo_data_generator_records_no_events():
    """It writes a made-up past in bulk: nothing a client should be told about as news."""
    call_command("generate_demo_data", claims=120, seed=7, batch_size=100, stdout=StringIO())
    assert Claim.objects.count() == 120
    assert not Event.objects.exists()


def test_a_correction_announces_every_appearance_verified_again():
    editor = EditorFactory()
    reviewed = ClaimFactory(verified=True, sentence=1)
    appearances = [ClaimFactory(sentence=1) for _ in range(2)]
    for appearance in appearances:
        matches.confirm_match(appearance, reviewed_claim_id=reviewed.pk, by=editor)
    correction = workflow.create_review(reviewed, by=editor, verdict="mostly_false", summary="Corrected.")
    workflow.add_evidence(correction, by=editor, url="https://example.org/correction")
    workflow.submit(correction, by=editor)
    last = Event.objects.latest("id").pk
    workflow.publish(correction, by=editor)
    verified = Event.objects.filter(pk__gt=last, type="claim.verified").order_by("id")
    assert [event.object_id for event in verified] == [reviewed.pk, *(a.pk for a in appearances)]
    assert all(event.public_data["verdict"] == "mostly_false" for event in verified)
    assert [event.public_data["matched_to"] for event in verified] == [None, reviewed.pk, reviewed.pk]


def test_many_objects_are_drawn_and_recorded_in_batches_in_their_order(monkeypatch):
    monkeypatch.setattr(events, "BATCH_SIZE", 2)
    claims = [ClaimFactory(sentence=n % 3) for n in range(5)]
    recorded = events.record(EventType.CLAIM_CREATED, claims)
    assert [event.object_id for event in recorded] == [claim.pk for claim in claims]
    stored = Event.objects.order_by("id")
    assert [(event.object_id, event.data["id"], event.data["quote"]) for event in stored] == [
        (claim.pk, claim.pk, claim.quote) for claim in claims
    ]
