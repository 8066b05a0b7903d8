"""Who may assign a claim to whom (claims.services.check_assignment), and what an assignment records."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from claims import services
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {"alice": ReviewerFactory(username="alice"), "bob": ReviewerFactory(username="bob"), "ed": EditorFactory()}


def test_a_reviewer_takes_an_unassigned_claim_and_the_history_says_so(people):
    claim = ClaimFactory()
    version = claim.version

    claim = services.assign_claim(claim, assignee=people["alice"], by=people["alice"])

    claim.refresh_from_db()
    assert claim.assignee == people["alice"]
    assert claim.version == version + 1
    last = claim.history.first()
    assert (last.assignee_id, last.history_user, last.history_change_reason) == (
        people["alice"].pk,
        people["alice"],
        "taken",
    )


def test_a_reviewer_cannot_take_a_claim_someone_else_has(people):
    claim = ClaimFactory(assignee=people["bob"])

    with pytest.raises(PermissionDenied, match="assigned to bob; only an editor may reassign"):
        services.assign_claim(claim, assignee=people["alice"], by=people["alice"])
    with pytest.raises(PermissionDenied):
        services.assign_claim(claim, assignee=None, by=people["alice"])

    claim.refresh_from_db()
    assert claim.assignee == people["bob"]


def test_a_reviewer_cannot_assign_someone_else(people):
    claim = ClaimFactory()

    with pytest.raises(PermissionDenied, match="Only editors assign claims to others"):
        services.assign_claim(claim, assignee=people["bob"], by=people["alice"])
    assert not services.may_assign(claim, people["bob"], by=people["alice"])
    assert services.may_assign(claim, people["alice"], by=people["alice"])


def test_a_reviewer_releases_their_own_claim(people):
    claim = ClaimFactory(assignee=people["alice"])

    claim = services.assign_claim(claim, assignee=None, by=people["alice"])

    assert claim.assignee is None
    assert claim.history.first().history_change_reason == "unassigned"


def test_an_editor_assigns_reassigns_and_unassigns(people):
    claim = ClaimFactory()

    services.assign_claim(claim, assignee=people["alice"], by=people["ed"])
    services.assign_claim(claim, assignee=people["bob"], by=people["ed"])
    claim.refresh_from_db()
    assert claim.assignee == people["bob"]
    assert claim.history.first().history_change_reason == "assigned to bob"

    services.assign_claim(claim, assignee=None, by=people["ed"])
    claim.refresh_from_db()
    assert claim.assignee is None


def test_only_active_newsroom_members_can_be_assignees(people):
    claim = ClaimFactory()
    outsider = UserFactory(username="outsider")
    gone = ReviewerFactory(username="gone", is_active=False)

    for user in (outsider, gone):
        with pytest.raises(ValidationError) as error:
            services.assign_claim(claim, assignee=user, by=people["ed"])
        assert "assignee" in error.value.message_dict
    assert set(services.assignable_users().values_list("username", flat=True)) >= {
        "alice",
        "bob",
        people["ed"].username,
    }
    assert not services.assignable_users().filter(username__in=["outsider", "gone"]).exists()


def test_outsiders_and_anonymous_users_assign_nothing(people):
    claim = ClaimFactory()
    for user in (UserFactory(username="outsider"), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.assign_claim(claim, assignee=people["alice"], by=user)


def test_assigning_the_same_person_again_changes_nothing(people):
    claim = ClaimFactory(assignee=people["alice"])
    version = claim.version

    claim = services.assign_claim(claim, assignee=people["alice"], by=people["alice"])

    assert claim.version == version


def test_update_claim_checks_the_same_rules(people):
    claim = ClaimFactory(assignee=people["bob"])

    with pytest.raises(PermissionDenied):
        services.update_claim(claim, by=people["alice"], version=claim.version, assignee=people["alice"])
    claim = services.update_claim(claim, by=people["ed"], version=claim.version, assignee=people["alice"])
    assert claim.assignee == people["alice"]
