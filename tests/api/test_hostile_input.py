"""Hostile input: every writable field and query parameter of the API, from its own OpenAPI document.

NUL bytes, lone surrogates, megabyte strings, integers beyond 64 bits, negative offsets, non-http
URLs, impossible dates, unknown enum values, wrong JSON types, deeply nested or truncated JSON and
wrong content types must each get a JSON 4xx and leave the database exactly as it was.
"""

import json

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

from claims import claimants
from claims.models import Article, Claim
from reviews import webhooks
from reviews.models import Review, WebhookSubscription
from tests.factories import SENTENCES, ArticleFactory, ClaimFactory, EvidenceFactory, ReviewFactory
from tests.snapshots import database_rows

pytestmark = pytest.mark.django_db

DOCUMENT = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = DOCUMENT["components"]["schemas"]
MEGABYTE = 1024 * 1024


class Raw(str):
    """A JSON fragment sent verbatim (numbers and constants ``json.dumps`` will not write)."""


def deeply_nested(depth=500):
    value = "x"
    for _ in range(depth):
        value = [value]
    return value


STRUCTURE = {
    "an object": {"$gt": ""},
    "a list": ["a", "b"],
    "deeply nested lists": deeply_nested(),
}
TEXT = {
    "a NUL byte": "before\x00after",
    "a lone surrogate": "\ud800",
    "a trailing lone surrogate": "ok\udfff",
    "1 MB of text": "x" * MEGABYTE,
    "true": True,
    **STRUCTURE,
}
INTEGER = {
    "2**64": 2**64,
    "-2**63 - 1": -(2**63) - 1,
    "-1": -1,
    "5000 digits": Raw("9" * 5000),
    "a fraction": 1.5,
    "infinity (1e999)": Raw("1e999"),
    "NaN": Raw("NaN"),
    "a numeric string with junk": "12abc",
    "a NUL byte": "1\x00",
    "true": True,
    **STRUCTURE,
}
NUMBER = {
    "infinity (1e999)": Raw("1e999"),
    "-infinity": Raw("-Infinity"),
    "NaN": Raw("NaN"),
    "-1": -1,
    "2**64": 2**64,
    "a word": "high",
    **STRUCTURE,
}
DATE = {
    "year 0": "0000-01-01",
    "year 10000": "10000-01-01",
    "30 February": "2024-02-30",
    "a negative year": "-0001-01-01",
    "an integer": 2**64,
    "a NUL byte": "2024-01-01\x00",
    **STRUCTURE,
}
DATE_TIME = {
    "beyond year 9999 in UTC": "9999-12-31T23:59:59-23:59",
    "before year 1 in UTC": "0001-01-01T00:00:00+23:59",
    "month 13": "2024-13-01T00:00:00Z",
    "an integer": 2**64,
    **STRUCTURE,
}
URL = {
    "javascript:": "javascript:alert(1)",
    "file:": "file:///etc/passwd",
    "ftp:": "ftp://example.org/file",
    "a scheme without a host": "http://",
    "a space in the host": "https://exa mple.org/",
    "an unclosed IPv6 host": "http://[::1/",
    "a NUL byte": "https://example.org/\x00",
    "a lone surrogate": "https://example.org/\ud800",
    "3000 characters": "https://example.org/" + "a" * 3000,
    **STRUCTURE,
}
BOOLEAN = {
    "a NUL byte": "true\x00",
    "a word that is no answer": "maybe",
    "a number other than 0 or 1": 2,
    "a list": [True],
    "an object": {"value": True},
    "null": None,
}
ENUM = {
    "an unknown value": "🦄",
    "the empty string": "",
    "the wrong case": "FALSE",
    "a NUL byte": "false\x00",
    **STRUCTURE,
}
TEXTS = {
    "a list of objects": [{"text": "x"}],
    "a list with a NUL byte": ["before\x00after"],
    "a list with a lone surrogate": ["\ud800"],
    "a list with an empty string": [""],
    "a list with 1 MB of text": ["x" * MEGABYTE],
    "an empty list": [],
    "1001 items": ["The ministry said 2,000 soldiers died."] * 1001,
    "a string": "economy",
    "deeply nested lists": deeply_nested(),
}
TAGS = {
    "a list of objects": [{"name": "x"}],
    "a tag with a NUL byte": ["a\x00"],
    "a tag that is not a slug": ["no spaces allowed"],
    "a 51-character tag": ["x" * 51],
    "a thousand tags": [f"t{i}" for i in range(1000)],
    "a string": "economy",
    "deeply nested lists": deeply_nested(),
}
# A claimant's names and links: lists that may be empty (no other name, no link), never of bad items.
NAMES = {name: value for name, value in TEXTS.items() if name != "an empty list"}
LINKS = {
    **{name: value for name, value in NAMES.items() if name != "1001 items"},
    "21 links": [f"https://example.org/{i}" for i in range(21)],
    "a javascript: link": ["javascript:alert(1)"],
    "an ftp: link": ["ftp://example.org/file"],
    "a link without a host": ["http://"],
}

# Fields the serializer ignores on update (they are fixed once the object exists).
FIXED_ON_UPDATE = {"article", "claim"}

WHOLE_BODIES = {
    "JSON nested 100 000 levels deep": ("application/json", "[" * 100_000 + "]" * 100_000),
    "an object nested 50 000 levels deep": ("application/json", '{"a":' * 50_000 + "1" + "}" * 50_000),
    "truncated JSON": ("application/json", '{"title": "x'),
    "invalid UTF-8": ("application/json", b'{"title": "\xff\xfe"}'),
    "a byte-order mark": ("application/json", "\ufeff{}".encode()),
    "a JSON list": ("application/json", "[]"),
    "a JSON string": ("application/json", '"text"'),
    "a JSON constant": ("application/json", "NaN"),
    "form data": ("application/x-www-form-urlencoded", "title=x&body=y"),
    "multipart data": (
        "multipart/form-data; boundary=xyz",
        "--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--xyz--\r\n",
    ),
    "plain text": ("text/plain", "hello"),
    "XML": ("application/xml", "<claim/>"),
    "no content type": ("", '{"title": "x"}'),
}


def field_kind(field, schema):
    """The hostile values for a property of a request body, by its documented type (a list: by its name)."""
    if "$ref" in schema:
        return ENUM
    if "oneOf" in schema or "allOf" in schema:
        return URL
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "array":
        return {"tags": TAGS, "aliases": NAMES, "same_as": LINKS}.get(field, TEXTS)
    if kind == "integer":
        return INTEGER
    if kind == "boolean":
        return BOOLEAN
    if kind == "number":
        return NUMBER
    if fmt == "uri":
        return URL
    if fmt == "date":
        return DATE
    if fmt == "date-time":
        return DATE_TIME
    return TEXT


def body_operations():
    """(method, path, writable properties) of every operation that takes a JSON body."""
    found = []
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content is None:
                continue
            ref = content["schema"].get("$ref")
            # A free-form document (the ClaimReview import's JSON-LD) has no fields to vary, only its whole body.
            component = COMPONENTS[ref.rsplit("/", 1)[1]] if ref else {}
            writable = {
                name: schema for name, schema in component.get("properties", {}).items() if not schema.get("readOnly")
            }
            found.append((method, path, writable))
    return found


def query_operations():
    """(path, query parameters) of every GET operation that has any."""
    found = []
    for path, item in DOCUMENT["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        parameters = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if parameters:
            found.append((path, parameters))
    return found


BODY_OPERATIONS = body_operations()
QUERY_OPERATIONS = query_operations()


# A public address, so that a valid subscription needs no DNS.
PUBLIC_RECEIVER = "https://93.184.215.14/hooks"


@pytest.fixture
def newsroom(editor):
    """One object of each kind an editor may change, and a valid request body for each operation."""
    article = ArticleFactory(body="A report with nothing claimed yet. It has two sentences.")
    claim = ClaimFactory(sentence=0)
    draft = ReviewFactory(author=editor, claim=ClaimFactory(sentence=2))
    evidence = EvidenceFactory(review=draft)
    submitted = ReviewFactory(state="submitted", claim=ClaimFactory(sentence=3))
    published = ReviewFactory(state="published", claim=ClaimFactory(sentence=1))
    claimant = claimants.create_claimant(name="Kremlin", by=editor)
    duplicate = claimants.create_claimant(name="The Kremlin press office", by=editor)
    subscription, _ = webhooks.subscribe(name="Partner", url=PUBLIC_RECEIVER, event_types=["*"], by=editor)
    objects = {
        "/api/v1/webhooks/{id}/": subscription,
        "/api/v1/claimants/{id}/": claimant,
        "/api/v1/claimants/{id}/merge/": duplicate,
        "/api/v1/articles/{id}/": article,
        "/api/v1/claims/{id}/": claim,
        "/api/v1/reviews/{id}/": draft,
        "/api/v1/reviews/{id}/evidence/": draft,
        "/api/v1/reviews/{id}/return/": submitted,
        "/api/v1/evidence/{id}/": evidence,
        "/api/v1/claims/{id}/match/": claim,
        "/api/v1/claims/{id}/match/reject/": claim,
        "/api/v1/claims/{id}/assign/": claim,
    }
    valid = {
        "/api/v1/articles/": {"title": "Hostile", "body": "Another report entirely.", "url": "https://example.org/h"},
        "/api/v1/articles/{id}/": {"title": "Renamed", "body": article.body},
        "/api/v1/auth/token/": {"username": editor.username, "password": "correct horse battery staple"},
        "/api/v1/claims/": {"article": claim.article_id, "quote": SENTENCES[1]},
        "/api/v1/claims/{id}/": {"claimant": "The ministry"},
        "/api/v1/reviews/": {"claim": claim.id, "verdict": "false"},
        "/api/v1/reviews/{id}/": {"verdict": "mixed"},
        "/api/v1/reviews/{id}/evidence/": {"url": "https://example.org/source"},
        "/api/v1/reviews/{id}/return/": {"comment": "Add a second source."},
        "/api/v1/evidence/{id}/": {"url": "https://example.org/source"},
        "/api/v1/check-worthiness/": {"text": "The ministry said 2,000 soldiers died."},
        "/api/v1/claimants/": {"name": "Ministry of Health", "same_as": ["https://example.org/moh"]},
        "/api/v1/claimants/{id}/": {"name": "The Kremlin"},
        "/api/v1/claimants/{id}/merge/": {"into": claimant.pk},
        "/api/v1/imports/claimreview/": {
            "@type": "ClaimReview",
            "url": "https://checks.example.org/hostile",
            "claimReviewed": "The ministry said 2,000 soldiers died.",
            "reviewRating": {"alternateName": "False"},
        },
        "/api/v1/claims/{id}/match/": {"claim": published.claim_id},
        "/api/v1/claims/{id}/match/reject/": {"claim": published.claim_id},
        "/api/v1/claims/{id}/assign/": {"assignee": "me"},
        "/api/v1/webhooks/": {"name": "Partner", "url": PUBLIC_RECEIVER, "event_types": ["review.published"]},
        "/api/v1/webhooks/{id}/": {"name": "Renamed"},
    }
    return objects, valid


def encode(body):
    """JSON text for ``body``, with ``Raw`` fragments written verbatim."""
    if not isinstance(body, dict):
        return json.dumps(body)
    parts = [
        f"{json.dumps(key)}: {value if isinstance(value, Raw) else json.dumps(value)}" for key, value in body.items()
    ]
    return "{" + ", ".join(parts) + "}"


def problems_with(response, expected=(400,)):
    """What is wrong with an answer to hostile input (empty when it is a JSON error we expect)."""
    if response.status_code not in expected:
        return f"status {response.status_code}: {response.content[:200]!r}"
    if response.status_code < 300:
        return ""  # a success has the content type its operation documents (checked by test_fuzz.py)
    if response["Content-Type"] != "application/json":
        return f"content type {response['Content-Type']}"
    try:
        json.loads(response.content)
    except ValueError:
        return f"not JSON: {response.content[:200]!r}"
    return ""


def send(client, method, path, body, content_type="application/json"):
    return client.generic(method.upper(), path, body, content_type=content_type)


def resolve(path, objects):
    return path.replace("{id}", str(objects[path].pk)) if "{id}" in path else path


@pytest.mark.parametrize(
    ("method", "path", "writable"),
    [pytest.param(*operation, id=f"{operation[0].upper()} {operation[1]}") for operation in BODY_OPERATIONS],
)
def test_hostile_values_in_every_writable_field_get_a_json_400_and_write_nothing(
    editor_client, newsroom, method, path, writable
):
    objects, valid = newsroom
    url = resolve(path, objects)
    base = {} if method == "patch" else valid[path]
    failures = []
    for field, schema in writable.items():
        if "{id}" in path and field in FIXED_ON_UPDATE:
            continue
        before = database_rows()
        for name, value in field_kind(field, schema).items():
            response = send(editor_client, method, url, encode({**base, field: value}))
            problem = problems_with(response)
            if problem:
                failures.append(f"{field} = {name}: {problem}")
        if database_rows() != before:
            failures.append(f"{field}: a refused request changed the database")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("method", "path"),
    [pytest.param(method, path, id=f"{method.upper()} {path}") for method, path, _ in BODY_OPERATIONS],
)
def test_malformed_bodies_and_wrong_content_types_get_a_json_4xx_and_write_nothing(
    editor_client, newsroom, method, path
):
    objects, _ = newsroom
    url = resolve(path, objects)
    failures = []
    before = database_rows()
    for name, (content_type, body) in WHOLE_BODIES.items():
        response = send(editor_client, method, url, body, content_type)
        expected = (415,) if content_type != "application/json" else (400,)
        problem = problems_with(response, expected)
        if problem:
            failures.append(f"{name}: {problem}")
    assert not failures, "\n".join(failures)
    assert database_rows() == before, "a refused request changed the database"


@pytest.mark.parametrize(
    ("method", "path"),
    [pytest.param(method, path, id=f"{method.upper()} {path}") for method, path, _ in BODY_OPERATIONS],
)
def test_bodies_over_the_size_limit_get_a_json_413_before_anything_is_read(editor_client, newsroom, method, path):
    objects, valid = newsroom
    url = resolve(path, objects)
    padding = "x" * (settings.FACTCHECK_MAX_REQUEST_BYTES + 1)
    before = database_rows()
    response = send(editor_client, method, url, json.dumps({**valid[path], "padding": padding}))
    assert not problems_with(response, (413,)), problems_with(response, (413,))
    assert "limit" in response.json()["detail"]
    assert database_rows() == before


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(editor_client):
    response = editor_client.generic(
        "POST", "/api/v1/articles/", b"{}", content_type="application/json", CONTENT_LENGTH=str(10**12)
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Request body is 1000000000000 bytes")


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", "99999999999999999999999999"])
def test_a_nonsense_content_length_is_refused(editor_client, length):
    before = database_rows()
    response = editor_client.generic(
        "POST", "/api/v1/articles/", b"{}", content_type="application/json", CONTENT_LENGTH=length
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"] == "application/json"
    assert database_rows() == before


QUERY_VALUES = {
    "a NUL byte": "%00",
    "invalid UTF-8 (an encoded surrogate)": "%ED%A0%80",
    "10 000 characters": "x" * 10_000,
    "2**64": str(2**64),
    "5000 digits": "9" * 5000,
    "-1": "-1",
    "an unknown name": "%F0%9F%A6%84",
    "a date beyond year 9999 in UTC": "9999-12-31T23:59:59-23:59",
    "a path traversal": "..%2F..%2Fetc%2Fpasswd",
    "SQL": "1'%20OR%20'1'='1",
}
# Free text: any string is a legitimate search, so 200 is a fine answer (a NUL byte still is not).
FREE_TEXT = {"search", "claimant", "tag", "text", "author", "publisher", "language", "assignee"}


def expected_statuses(parameter, value_name):
    if parameter in FREE_TEXT:
        return (400,) if value_name == "a NUL byte" else (200, 400)
    if parameter == "cursor":
        return (200, 404)  # an unreadable cursor is DRF's 404; one that decodes to nothing starts at the top
    if parameter == "page_size" and value_name in ("2**64", "5000 digits"):
        return (200,)  # capped at the maximum page size, as documented
    return (400,)


@pytest.mark.parametrize(
    ("path", "parameters"), [pytest.param(path, parameters, id=f"GET {path}") for path, parameters in QUERY_OPERATIONS]
)
@pytest.mark.usefixtures("newsroom")
def test_hostile_query_parameters_get_a_json_answer_and_never_an_error(editor_client, path, parameters):
    client = editor_client  # sees every object, so every filter runs over real rows (the public: test_fuzz.py)
    if path.startswith("/api/v1/webhooks/{id}/"):
        path = path.replace("{id}", str(WebhookSubscription.objects.get().pk))
    elif "{id}" in path:
        path = path.replace("{id}", str(Claim.objects.get(status="verified").pk))
    failures = []
    for parameter in parameters:
        for name, value in QUERY_VALUES.items():
            if parameter == "format" and name == "an unknown name":
                value = "xml"
            response = client.get(f"{path}?{parameter}={value}")
            problem = problems_with(response, expected_statuses(parameter, name))
            if problem:
                failures.append(f"{parameter} = {name}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("pk", [str(2**64), "9" * 5000, "-1", "0", "1.5", "%00", "%ED%A0%80", "1e3"])
@pytest.mark.parametrize("collection", ["articles", "claims", "reviews", "evidence"])
def test_impossible_ids_in_the_path_are_a_json_404(editor_client, collection, pk):
    response = editor_client.get(f"/api/v1/{collection}/{pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()


def test_deeply_nested_json_is_a_400_not_a_crash(reviewer_client):
    response = reviewer_client.generic("POST", "/api/v1/claims/", "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than 32 levels deep" in response.json()["detail"]


def test_a_lone_surrogate_anywhere_in_the_body_is_a_400_not_a_crash(reviewer_client):
    body = '{"title": "fine", "body": "A report \\ud800 with a broken character."}'
    response = reviewer_client.generic("POST", "/api/v1/articles/", body, content_type="application/json")
    assert response.status_code == 400
    assert "lone surrogate" in response.json()["detail"]
    assert not Article.objects.exists()


def test_an_updated_since_that_overflows_utc_is_a_400_not_a_crash(reviewer_client):
    for path in ("/api/v1/claims/", "/api/v1/reviews/"):
        response = reviewer_client.get(path, {"updated_since": "9999-12-31T23:59:59-23:59"})
        assert response.status_code == 400
        assert response.json() == {"updated_since": ["Date-time is out of range."]}


@pytest.mark.parametrize("page_size", ["-1", "0", "abc", "１２", "1_0", " 5"])
def test_a_page_size_that_is_not_a_positive_whole_number_is_a_400(anon, page_size):
    response = anon.get("/api/v1/claims/", {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_huge_page_size_is_capped(anon):
    response = anon.get("/api/v1/claims/", {"page_size": "9" * 5000})
    assert response.status_code == 200


def test_ordering_by_an_unknown_field_is_a_400_naming_the_allowed_ones(anon):
    response = anon.get("/api/v1/claims/", {"ordering": "-quote__secret"})
    assert response.status_code == 400
    assert "check_worthiness" in response.json()["ordering"][0]


@pytest.mark.parametrize("reference", [1.5, True, "1.0", " 1", "１", [1], {"id": 1}])
def test_a_reference_that_is_not_a_whole_number_is_refused_not_rounded(editor_client, reference):
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(id=1)
    response = editor_client.post("/api/v1/reviews/", {"claim": reference, "verdict": "false"}, format="json")
    assert response.status_code == 400
    assert "claim" in response.json()
    assert not Review.objects.exists()


def test_a_number_beyond_a_float_is_a_400_not_a_crash(reviewer_client):
    article = ArticleFactory()
    body = '{"article": 1e999, "quote": "x"}'
    response = reviewer_client.generic("POST", "/api/v1/claims/", body, content_type="application/json")
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]
    assert not Claim.objects.filter(article=article).exists()


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/reviews/", "/api/v1/exports/claims"])
def test_an_updated_since_offset_postgresql_cannot_store_still_filters(anon, path):
    # ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59: the filter compares in UTC.
    published = ReviewFactory(state="published")
    response = anon.get(path, {"updated_since": "2000-01-01T00:00:00-16:55"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    marker = {"/api/v1/reviews/": f'"id":{published.pk}'}.get(path, published.claim.quote)
    assert marker in body.decode()
