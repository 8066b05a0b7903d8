"""The claim's page in the admin: score and reasons, triage and assignment buttons, the claim's reviews.

Every button × role × claim status: which buttons the page shows, and that posting each step (shown or not)
ends as the API, or the service it calls, ends for the same user on an identical claim: the same outcome and
the same message. Then the page's query count, which must not grow with the claim's reviews, tags and matches.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims import services
from claims.models import Claim, ClaimMatch, Tag
from reviews.models import Review
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    ReviewerFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STATUSES = ["candidate", "accepted", "dismissed", "in_review", "verified"]
ROLES = ["outsider", "reviewer", "assignee", "other_reviewer", "editor", "superuser"]
# What marks each button in the page's HTML.
BUTTONS = {
    "accept": ">Accept</button>",
    "dismiss": ">Dismiss</button>",
    "reopen": ">Reopen as a candidate</button>",
    "take": ">Take this claim</button>",
    "release": ">Release</button>",
    "assign_to": 'id="claim-assign-to"',
    "unassign": ">Unassign</button>",
    "create_review": ">Create a review</a>",
}


@pytest.fixture
def people():
    return {
        "alice": ReviewerFactory(username="alice"),
        "bob": ReviewerFactory(username="bob"),
        "carol": ReviewerFactory(username="carol"),
        "ed": EditorFactory(username="ed"),
        "root": UserFactory(username="root", is_superuser=True),
        "outsider": UserFactory(username="outsider"),
    }


def user_for(role, people):
    return {
        "outsider": people["outsider"],
        "reviewer": people["bob"],
        "assignee": people["alice"],
        "other_reviewer": people["bob"],
        "editor": people["ed"],
        "superuser": people["root"],
    }[role]


def claim_for(role, status, people):
    """A claim in ``status``; assigned to alice when the role is about someone's claim (the assignee, another
    reviewer, the editor), unassigned otherwise."""
    assignee = people["alice"] if role in ("assignee", "other_reviewer", "editor") else None
    if status == "in_review":
        claim = ClaimFactory(in_review=True)
    elif status == "verified":
        claim = ClaimFactory(verified=True)
    else:
        claim = ClaimFactory(status=status)
    if assignee is not None:
        Claim.objects.filter(pk=claim.pk).update(assignee=assignee)
        claim.refresh_from_db()
    assert claim.status == status
    return claim


def expected_buttons(role, status):
    """The buttons each role sees, written out from the rules (not computed by them)."""
    if role == "outsider":
        return set()
    editor = role in ("editor", "superuser")
    shown = set()
    if status == "candidate":
        shown |= {"accept", "dismiss"} if editor else {"accept"}
    elif status == "accepted":
        shown |= {"reopen", "dismiss"} if editor else {"reopen"}
    elif status == "dismissed":
        shown |= {"accept", "reopen"}
    shown |= {
        "reviewer": {"take"},
        "assignee": {"release"},
        "other_reviewer": set(),
        "editor": {"assign_to", "unassign"},
        "superuser": {"take", "assign_to"},
    }[role]
    if status != "dismissed":
        shown.add("create_review")
    return shown


def page_url(claim):
    return f"/admin/claims/claim/{claim.pk}/change/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
def test_the_page_shows_exactly_the_buttons_of_the_steps_the_user_may_take(people, role, status):
    claim = claim_for(role, status, people)
    response = logged_in(user_for(role, people)).get(page_url(claim))
    if role == "outsider":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    shown = {name for name, marker in BUTTONS.items() if marker in html}
    assert shown == expected_buttons(role, status)


def test_anonymous_users_are_sent_to_the_login_page_and_post_nothing(people):
    claim = ClaimFactory(status="candidate")
    client = Client()
    assert client.get(page_url(claim))["Location"].startswith("/admin/login/")
    for url, data in [
        (f"/admin/claims/claim/{claim.pk}/triage/accepted/", {}),
        (f"/admin/claims/claim/{claim.pk}/assign/", {"assignee": people["alice"].pk}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    claim.refresh_from_db()
    assert (claim.status, claim.assignee_id, claim.version) == ("candidate", None, 1)


def admin_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


TRIAGE = {"accept": "accepted", "dismiss": "dismissed", "reopen": "candidate"}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", sorted(TRIAGE))
def test_a_triage_button_ends_as_the_api_ends_for_the_same_user(people, role, status, step):
    user, target = user_for(role, people), TRIAGE[step]
    through_api, through_admin = claim_for(role, status, people), claim_for(role, status, people)

    api = APIClient()
    api.force_authenticate(user)
    api_response = api.patch(
        f"/api/v1/claims/{through_api.pk}/", {"status": target, "version": through_api.version}, format="json"
    )
    response = logged_in(user).post(f"/admin/claims/claim/{through_admin.pk}/triage/{target}/")

    through_api.refresh_from_db()
    through_admin.refresh_from_db()
    assert through_admin.status == through_api.status
    if role == "outsider":  # neither lets someone outside the newsroom in
        assert (api_response.status_code, response.status_code) == (403, 403)
        return
    assert response.status_code == 302 and response["Location"] == page_url(through_admin)
    if api_response.status_code == 200:
        assert admin_messages(response) == [f"Claim {through_admin.pk} {dict(STEP_WORDS)[target]}."]
        if through_api.status != status:  # a step, recorded with who took it
            last = through_admin.history.first()
            assert (last.history_user, last.history_change_reason) == (user, f"triaged as {target}")
    else:
        assert api_response.status_code == 400
        (refusal,) = api_response.json()["status"]
        assert admin_messages(response) == [f"Nothing was changed: {refusal}"]


STEP_WORDS = [
    ("accepted", "accepted for review"),
    ("dismissed", "dismissed as not check-worthy"),
    ("candidate", "back among the candidates"),
]


def assignment_outcome(claim, assignee, user):
    """What ``claims.services.assign_claim`` (the API's call) does: the assignee after it, or its refusal."""
    try:
        return services.assign_claim(claim, assignee=assignee, by=user).assignee_id, None
    except ValidationError as exc:
        return claim.assignee_id, " ".join(exc.messages)
    except PermissionDenied as exc:
        return claim.assignee_id, str(exc)


ASSIGNMENTS = {"take": "self", "assign_other": "carol", "unassign": None}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", sorted(ASSIGNMENTS))
def test_an_assignment_button_ends_as_the_service_ends_for_the_same_user(people, role, status, step):
    user = user_for(role, people)
    wanted = {"self": user, "carol": people["carol"], None: None}[ASSIGNMENTS[step]]
    through_service, through_admin = claim_for(role, status, people), claim_for(role, status, people)

    expected_assignee, refusal = assignment_outcome(through_service, wanted, user)
    response = logged_in(user).post(
        f"/admin/claims/claim/{through_admin.pk}/assign/", {"assignee": wanted.pk if wanted else ""}
    )

    through_admin.refresh_from_db()
    assert through_admin.assignee_id == expected_assignee
    if role == "outsider":
        assert response.status_code == 403
        return
    assert response.status_code == 302
    (message,) = admin_messages(response)
    if refusal is None:
        assert message in (
            "You are assigned to this claim now.",
            "Nobody is assigned to this claim now.",
            "Assigned to carol.",
        )
    else:
        assert message == f"Nothing was changed: {refusal}"


def test_taking_releasing_and_reassigning_are_recorded_in_the_claims_history(people):
    claim = ClaimFactory(status="accepted")
    alice, ed = logged_in(people["alice"]), logged_in(people["ed"])
    url = f"/admin/claims/claim/{claim.pk}/assign/"

    # (Each newest message last: a redirect not followed leaves the earlier ones unread.)
    assert (
        admin_messages(alice.post(url, {"assignee": people["alice"].pk}))[-1] == "You are assigned to this claim now."
    )
    assert admin_messages(ed.post(url, {"assignee": people["bob"].pk}))[-1] == "Assigned to bob."
    assert admin_messages(ed.post(url, {"assignee": ""}))[-1] == "Nobody is assigned to this claim now."

    reasons = list(claim.history.order_by("-history_id").values_list("history_change_reason", "history_user__username"))
    assert reasons[:3] == [("unassigned", "ed"), ("assigned to bob", "ed"), ("taken", "alice")]
    history = ed.get(f"/admin/claims/claim/{claim.pk}/history/").content.decode()
    assert "assigned to bob" in history and "taken" in history


def test_the_page_shows_the_assignee_and_the_editor_chooses_among_the_newsroom(people):
    claim = ClaimFactory(status="accepted", assignee=people["alice"])
    html = logged_in(people["ed"]).get(page_url(claim)).content.decode()
    assert '<span class="claim-assignee">alice</span>' in html
    options = html.split('id="claim-assign-to"')[1].split("</select>")[0]
    assert ">bob<" in options and ">carol<" in options and ">ed<" in options and ">root<" in options
    assert ">alice<" not in options and ">outsider<" not in options  # already hers; not in the newsroom


@pytest.mark.parametrize(
    "data, refusal",
    [
        ({"assignee": "99999999"}, "No such user."),
        ({"assignee": "x"}, "No such user."),
        ({"assignee": "9" * 40}, "No such user."),
        ({"assignee": "outsider"}, "No such user."),
    ],
)
def test_an_unknown_assignee_is_refused_with_a_message_never_a_server_error(people, data, refusal):
    claim = ClaimFactory()
    response = logged_in(people["ed"]).post(f"/admin/claims/claim/{claim.pk}/assign/", data)
    assert response.status_code == 302
    assert admin_messages(response) == [f"Nothing was changed: {refusal}"]


def test_assigning_someone_outside_the_newsroom_gives_the_rules_message(people):
    claim = ClaimFactory()
    response = logged_in(people["ed"]).post(
        f"/admin/claims/claim/{claim.pk}/assign/", {"assignee": people["outsider"].pk}
    )
    assert admin_messages(response) == ["Nothing was changed: outsider is not an active reviewer or editor."]


@pytest.mark.parametrize("url", ["/admin/claims/claim/{pk}/triage/accepted/", "/admin/claims/claim/{pk}/assign/"])
def test_the_step_urls_answer_get_with_405_and_unknown_claims_and_steps_with_404(people, url):
    claim = ClaimFactory(status="candidate")
    client = logged_in(people["ed"])
    response = client.get(url.format(pk=claim.pk))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert client.post(url.format(pk=10**30)).status_code == 404
    assert client.post(url.format(pk="nope")).status_code == 404
    assert client.post(f"/admin/claims/claim/{claim.pk}/triage/verified/").status_code == 404
    claim.refresh_from_db()
    assert claim.version == 1


def test_the_buttons_need_the_csrf_token(people):
    claim = ClaimFactory(status="candidate")
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["bob"])
    assert client.post(f"/admin/claims/claim/{claim.pk}/triage/accepted/").status_code == 403
    token = client.get(page_url(claim)).context["csrf_token"]
    response = client.post(f"/admin/claims/claim/{claim.pk}/triage/accepted/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "accepted"


def test_the_score_and_its_reasons_are_shown_at_the_top(people):
    claim = ClaimFactory(check_worthiness=0.83, check_worthiness_reasons=["model 0.91: “percent”", "number", "date"])
    html = logged_in(people["bob"]).get(page_url(claim)).content.decode()
    assert '<span class="claim-score"' in html and ">0.83</span>" in html
    desk = html.split('class="claim-desk"')[1].split("</section>")[0]
    assert "<li>model 0.91: “percent”</li><li>number</li><li>date</li>" in desk
    hand = ClaimFactory(check_worthiness=0.4, check_worthiness_reasons=[])
    assert "entered by hand" in logged_in(people["bob"]).get(page_url(hand)).content.decode()


def test_the_claims_reviews_are_listed_as_the_user_may_see_them(people):
    claim = ClaimFactory(status="accepted")
    mine = ReviewFactory(claim=claim, author=people["bob"])
    theirs = ReviewFactory(claim=claim, author=people["carol"])
    submitted = ReviewFactory(claim=claim, author=people["carol"], state=Review.State.SUBMITTED, verdict="mixed")

    html = logged_in(people["bob"]).get(page_url(claim)).content.decode()
    assert f"/admin/reviews/review/{mine.pk}/change/" in html
    assert f"/admin/reviews/review/{submitted.pk}/change/" in html and "Mixed" in html
    assert f"/admin/reviews/review/{theirs.pk}/change/" not in html  # another reviewer's draft
    # Their own open draft comes first; another review may still be started.
    assert f'class="button claim-my-draft" href="/admin/reviews/review/{mine.pk}/change/">Continue your draft' in html
    assert f'href="/admin/reviews/review/add/?claim={claim.pk}">Start another review</a>' in html

    editor_html = logged_in(people["ed"]).get(page_url(claim)).content.decode()
    assert f"/admin/reviews/review/{theirs.pk}/change/" in editor_html


def test_create_a_review_is_not_offered_for_a_confirmed_appearance(people):
    reviewed = ClaimFactory(verified=True)
    appearance = ClaimFactory(article=ArticleFactory(), status="accepted")
    ClaimMatch.objects.create(claim=appearance, reviewed_claim=reviewed, state=ClaimMatch.State.CONFIRMED)
    html = logged_in(people["bob"]).get(page_url(appearance)).content.decode()
    assert BUTTONS["create_review"] not in html


def test_create_a_review_opens_the_add_form_with_the_claim_chosen_and_a_reviewer_saves_the_draft(people):
    claim = ClaimFactory(status="accepted")
    client = logged_in(people["bob"])
    form = client.get(f"/admin/reviews/review/add/?claim={claim.pk}")
    assert form.status_code == 200
    html = form.content.decode()
    # The autocomplete widget renders the chosen claim as its selected option.
    assert f'<option value="{claim.pk}" selected>' in html
    response = client.post(
        f"/admin/reviews/review/add/?claim={claim.pk}",
        {
            "claim": claim.pk,
            "verdict": "false",
            "rating_text": "",
            "summary": "",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(claim=claim)
    assert (review.author, review.state) == (people["bob"], Review.State.DRAFT)


# --- Queries ------------------------------------------------------------------------------------------


def _page_queries(client, claim):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page_url(claim))
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _grow(claim, count, people):
    for number in range(count):
        ReviewFactory(claim=claim, author=people["carol"], state=Review.State.SUBMITTED)
        claim.tags.add(Tag.objects.create(name=f"tag {claim.pk} {number}"))
        appearance = ClaimFactory(article=ArticleFactory())
        ClaimMatch.objects.create(claim=appearance, reviewed_claim=claim, state=ClaimMatch.State.CONFIRMED)
        Claim.objects.filter(pk=appearance.pk).update(status=claim.status)


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_the_claim_page_answers_with_the_same_number_of_queries_whatever_the_reviews_tags_and_matches(people, role):
    user = people["bob"] if role == "reviewer" else people["ed"]
    client = logged_in(user)
    few, many = ClaimFactory(verified=True), ClaimFactory(verified=True)
    _grow(few, 1, people)
    _grow(many, 6, people)
    assert len(_page_queries(client, many)) == len(_page_queries(client, few)), "\n".join(_page_queries(client, many))


def test_a_user_without_a_role_is_refused_by_the_services_too(people):
    claim = ClaimFactory(status="candidate")
    with pytest.raises(PermissionDenied):
        services.triage(claim, status="accepted", by=AnonymousUser())
