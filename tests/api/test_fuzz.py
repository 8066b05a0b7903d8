"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis, in process).

Every operation in ``/api/v1/schema/`` is called with generated requests, valid and invalid, as an
anonymous client and as a reviewer with a token. No response may be a server error; every response
must match the status codes, content types, schemas and headers the document promises; a request
the document does not allow must be refused (``negative_data_rejection``); and what was deleted
stays gone (``use_after_free``); an operation the document does not open to anonymous clients
refuses a request without credentials (``ignored_auth``). ``scripts/schemathesis_run.py`` runs every check from outside.

CI runs 10 examples per operation (about 660 requests). The long run is one command; above 10 it
also runs schemathesis' coverage phase (boundary values, missing and wrongly typed fields of every
parameter) and draws new inputs each time (100 examples: about 10 000 requests, 5-10 minutes):

    FUZZ_EXAMPLES=100 .venv/bin/python -m pytest tests/api/test_fuzz.py -q
    DATABASE_URL=postgres://… FUZZ_EXAMPLES=100 .venv/bin/python -m pytest tests/api/test_fuzz.py -q
"""

import os
import tomllib
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from claims.claimant_names import claimant_key, claimant_type
from claims.models import Claim, Claimant, ClaimantAlias
from factcheck import encryption
from factcheck.models import Job
from factcheck.wsgi import application
from reviews.models import WebhookSubscription
from tests.factories import EditorFactory, EvidenceFactory, ExternalFactCheckFactory, ReviewerFactory, ReviewFactory

SCHEMATHESIS_TOML = Path(__file__).resolve().parents[2] / "schemathesis.toml"
CI_EXAMPLES = 10
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", CI_EXAMPLES))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    response_headers_conformance,
    use_after_free,
    # The document marks the operations anonymous clients may call (security ``{}``); every other one
    # must refuse a request without credentials, or with wrong ones, with 401.
    ignored_auth,
]


def load_schema(*, coverage):
    """The API's own OpenAPI document, fetched through the WSGI app as a client would fetch it.

    The checks accept what ``schemathesis.toml`` says the API answers by design (the outside run's
    configuration): a request the document refuses may also be a 413 when it is over the size limit.
    """
    accepted = tomllib.loads(SCHEMATHESIS_TOML.read_text(encoding="utf-8"))["checks"]
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": coverage}}, "checks": accepted})
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=config)


fuzz_settings = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    # CI is reproducible; a longer run explores new inputs each time.
    derandomize=FUZZ_EXAMPLES <= CI_EXAMPLES,
    database=None,
    suppress_health_check=list(HealthCheck),
)

CASES = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_cases_fuzzed(request):
    """Print how many requests the fuzzer made: the figure the CI log shows."""
    yield
    if CASES:
        summary = ", ".join(f"{role}: {count}" for role, count in sorted(CASES.items()))
        line = f"fuzzed {sum(CASES.values())} requests ({summary}; {FUZZ_EXAMPLES} examples per operation)"
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
            reporter.write_line(f"\n{line}")


def no_write_refused_by_the_database(ctx, response, case):
    """A 409 from an IntegrityError means validation let bad data through to the database: a bug."""
    if response.status_code == 409 and "database refused" in response.text:
        raise AssertionError(f"the database, not validation, refused this request: {response.text}")


CHECKS.append(no_write_refused_by_the_database)


@pytest.fixture
def keep_the_test_connection():
    """Requests go straight to the WSGI app; like Django's test client, keep the connection (and the
    test's transaction) open across them instead of closing it at each request's start and end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def newsroom(db, keep_the_test_connection):
    """Drafts, submissions and published work of two people, and the ids of what was made, by collection."""
    reviewer = ReviewerFactory(username="fuzz-reviewer")
    editor = EditorFactory(username="fuzz-editor")
    evidence = [EvidenceFactory(review=ReviewFactory(state=state, author=reviewer)) for state in STATES]
    evidence.append(EvidenceFactory(review=ReviewFactory(state="draft", author=editor)))
    # Claimants: one of verified claims (public), one of a draft's claim (newsroom only).
    claimants = []
    for piece, name in ((evidence[2], "Kremlin"), (evidence[0], "Vitali Ganchev")):
        claimant = Claimant.objects.create(name=name, type=claimant_type(name))
        ClaimantAlias.objects.create(claimant=claimant, name=name, key=claimant_key(name))
        Claim.objects.filter(pk=piece.review.claim_id).update(claimant_entity=claimant, claimant=name)
        claimants.append(claimant.pk)
    ids = {
        "claimants": claimants,
        "evidence": [piece.pk for piece in evidence],
        "reviews": [piece.review_id for piece in evidence],
        "claims": [piece.review.claim_id for piece in evidence],
        "articles": [piece.review.claim.article_id for piece in evidence],
        "external-fact-checks": [fact_check.pk for fact_check in ExternalFactCheckFactory.create_batch(2)],
        "jobs": [
            Job.objects.create(name="claims.extract_article", created_by=reviewer).pk,
            Job.objects.create(name="reviews.export_claims", created_by=reviewer, status="failed", error="gone").pk,
        ],
        "webhooks": [
            WebhookSubscription.objects.create(
                name="Partner app",
                url="https://hooks.example.com/in",
                event_types=["*"],
                secret_encrypted=encryption.encrypt("whsec_" + "A" * 44),
                created_by=editor,
            ).pk
        ],
    }
    return reviewer, ids


STATES = ("draft", "submitted", "published", "draft")


def aim_at_existing_objects(case, ids):
    """Point a generated whole-number id at one of the objects above, so bodies reach real objects.

    Random ids would almost all be 404s; other ids (negative, huge, not numbers) are left as drawn.
    """
    value = case.path_parameters.get("id") if case.path_parameters else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        collection = case.path.split("/")[3]
        case.path_parameters["id"] = ids[collection][value % len(ids[collection])]
        if value % 2 == 0:
            name_any_version(case)


def name_any_version(case):
    """A change to a claim or review that names no version is a 428 before it reaches the workflow: for
    half of them send ``If-Match: *`` (any version, on purpose), so that the fuzzer gets past it too."""
    versioned = (
        case.path.startswith(("/api/v1/claims/{id}/", "/api/v1/reviews/{id}/", "/api/v1/claimants/{id}/"))
        and case.path.count("/") == 5
    )
    body = case.body if isinstance(case.body, dict) else {}
    headers = case.headers or {}
    unnamed = "version" not in body and not any(name.lower() == "if-match" for name in headers)
    if versioned and unnamed and case.method.upper() in ("PUT", "PATCH", "DELETE"):
        case.headers = {**headers, "If-Match": "*"}


@pytest.fixture
def reviewer_token(newsroom):
    reviewer, _ = newsroom
    _, key = AuthToken.objects.create(user=reviewer)
    return key


# The coverage phase (boundary values, missing and wrongly typed fields of every parameter) adds a
# few thousand requests: the long run has it, CI relies on tests/api/test_hostile_input.py for those.
api = load_schema(coverage=FUZZ_EXAMPLES > CI_EXAMPLES)


@api.parametrize()
@fuzz_settings
def test_api_never_fails_an_anonymous_client(case, newsroom):
    CASES["anonymous"] += 1
    aim_at_existing_objects(case, newsroom[1])
    case.call_and_validate(checks=CHECKS)


@api.parametrize()
@fuzz_settings
def test_api_never_fails_a_reviewer_with_a_token(case, newsroom, reviewer_token):
    CASES["reviewer"] += 1
    aim_at_existing_objects(case, newsroom[1])
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Token {reviewer_token}"})


@pytest.fixture
def editor_token(newsroom):
    _, key = AuthToken.objects.create(user=get_user_model().objects.get(username="fuzz-editor"))
    return key


@api.include(path="/api/v1/imports/claimreview/").parametrize()
@fuzz_settings
def test_the_claimreview_import_never_fails_an_editor(case, newsroom, editor_token):
    """The one operation only editors may call: whatever the body, a report or a 4xx, never a 500."""
    CASES["editor"] += 1
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Token {editor_token}"})


@api.include(path_regex="^/api/v1/webhooks/").parametrize()
@fuzz_settings
def test_webhooks_never_fail_an_editor(case, newsroom, editor_token):
    """Webhooks are for editors: whatever the body or id, an answer or a 4xx, never a 500. (Receiver URLs
    are checked with DNS, which fails fast where there is none.)"""
    CASES["editor"] += 1
    aim_at_existing_objects(case, newsroom[1])
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Token {editor_token}"})
