"""The shared "nothing changed" check notices every kind of write a refused request could make."""

import pytest
from django.contrib.auth.models import Group
from knox.models import AuthToken

from claims.models import Claim, Tag
from reviews.models import Evidence, Review
from tests.factories import ClaimFactory, EditorFactory
from tests.snapshots import nothing_changed

pytestmark = pytest.mark.django_db


def change_password(user):
    user.set_password("another horse")
    user.save()


WRITES = {
    "a column changed without touching updated_at": lambda c: Claim.objects.filter(pk=c.pk).update(claimant="X"),
    "a review's summary changed": lambda c: Review.objects.filter(claim=c).update(summary="Changed."),
    "a piece of evidence deleted": lambda c: Evidence.objects.filter(review__claim=c).delete(),
    "a history row added": lambda c: Claim.objects.get(pk=c.pk).save(),
    "a tag created": lambda c: Tag.objects.create(name="new"),
    "a tag attached": lambda c: c.tags.add(Tag.objects.create(name="attached")),
    "a token issued": lambda c: AuthToken.objects.create(user=c.reviews.get().author),
    "a password changed": lambda c: change_password(c.reviews.get().author),
    "a user given a role": lambda c: c.reviews.get().author.groups.add(Group.objects.get(name="editors")),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_nothing_changed_fails_on_any_write(write):
    claim = ClaimFactory(verified=True)
    EditorFactory()
    with pytest.raises(AssertionError, match="the database changed"), nothing_changed():
        write(claim)


def test_nothing_changed_passes_when_only_reads_happen():
    claim = ClaimFactory(verified=True)
    with nothing_changed():
        list(Claim.objects.filter(pk=claim.pk))
