"""Every response of a full journey through the API conforms to the API's own OpenAPI document.

A client generated from ``/api/v1/schema/`` trusts the document: the status codes, the content type
of each, the body's schema and the headers it declares. The journey below goes through the real
URL routes as every role (anonymous, a reviewer and an editor with tokens, staff logged in to the
admin), through every operation of the document, successes and errors, and each response is held
to the document by ``Conformance``, an OpenAPI 3.0 reading of it that is strict where generators
are: ``nullable`` counts only next to a ``type``, ``oneOf`` means exactly one.
"""

import csv
import io
import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from factcheck import jobs, outbound
from reviews import exports
from tests.factories import SENTENCES, EditorFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
API = "/api/v1"

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    return not isinstance(value, str) or datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _date(value):
    return not isinstance(value, str) or bool(datetime.strptime(value, "%Y-%m-%d"))


@FORMATS.checks("uri")
def _uri(value):
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


def read_body(response):
    """The body of a response, streamed or not, read once."""
    if not hasattr(response, "read_body"):
        streamed = getattr(response, "streaming", False)
        response.read_body = b"".join(response.streaming_content) if streamed else response.content
    return response.read_body


def json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable`` adds null to the ``type`` beside it, and only there."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items() if key not in ("nullable", "readOnly")}
    if node.get("nullable") and "type" in node:
        converted["type"] = [node["type"], "null"]
        if "enum" in node and None not in node["enum"]:
            converted["enum"] = [*node["enum"], None]
    if "$ref" in converted:
        converted["$ref"] = converted["$ref"].replace("#/components/schemas/", "#/definitions/")
    return converted


class Conformance:
    """Checks responses against an OpenAPI document; collects what disagrees."""

    def __init__(self, document):
        self.document = document
        self.definitions = json_schema(document["components"]["schemas"])
        self.operations = []  # (method, template, regex, operation)
        for template, item in document["paths"].items():
            pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    self.operations.append((method.upper(), template, re.compile(pattern), operation))
        # A literal segment wins over a parameter: claims/similar/ is not claims/{id}/.
        self.operations.sort(key=lambda entry: entry[1].count("{"))
        self.exercised = set()  # (method, template)
        self.statuses = set()
        self.problems = []

    def find(self, method, path):
        for op_method, template, regex, operation in self.operations:
            if op_method == method and regex.match(path):
                return template, operation
        return None, None

    def validate(self, value, schema):
        """The messages of ``value`` against ``schema`` (OpenAPI 3.0), empty when it conforms.

        Twice: with ``format`` asserted (a date-time must be one), and with ``format`` as the mere
        annotation many validators and generators take it for, where a ``oneOf`` told apart by a
        format alone matches more than one branch.
        """
        full = {**json_schema(schema), "definitions": self.definitions}
        messages = []
        for checker in (FORMATS, None):
            validator = jsonschema.Draft7Validator(full, format_checker=checker)
            messages += [
                f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(value)
            ]
        return list(dict.fromkeys(messages))

    def check(self, method, path, response):
        """The ways ``response`` to ``method path`` disagrees with the document (also recorded)."""
        template, operation = self.find(method, path)
        if operation is None:
            return self._record(method, path, response, self._undocumented_method(method, path, response))
        self.exercised.add((method, template))
        self.statuses.add(response.status_code)
        code = str(response.status_code)
        declared = operation["responses"].get(code) or operation["responses"].get(code[0] + "XX")
        if declared is None:
            return self._record(method, path, response, [f"status {code} is not declared"])
        problems = self._headers(declared, response)
        content = declared.get("content", {})
        body = read_body(response)
        if not content:
            if body:
                problems.append(f"status {code} declares no body but has {len(body)} bytes")
            return self._record(method, path, response, problems)
        media_type = response.get("Content-Type", "").split(";")[0].strip()
        if media_type not in content:
            problems.append(f"content type {media_type!r} is not declared for {code} (declared: {sorted(content)})")
            return self._record(method, path, response, problems)
        schema = content[media_type].get("schema", {})
        text = body.decode("utf-8")
        if media_type.endswith("json") and media_type != "application/x-ndjson":
            try:
                value = json.loads(text)
            except ValueError as exc:
                problems.append(f"body is not JSON: {exc}")
            else:
                problems += self.validate(value, schema)
        else:
            problems += self.validate(text, schema)
            problems += self._text_body(media_type, text)
        return self._record(method, path, response, problems)

    def _undocumented_method(self, method, path, response):
        """A method the document does not give a path: 405, a JSON error, and ``Allow`` naming the methods it does."""
        documented = {m for m, _, regex, _ in self.operations if regex.match(path)}
        if not documented:
            return [f"{path} is not in the document"]
        self.statuses.add(response.status_code)
        if response.status_code != 405:
            return [f"{method} is not documented for {path}, yet the answer is {response.status_code}, not 405"]
        allowed = {m.strip() for m in response.get("Allow", "").split(",")} - {"HEAD", "OPTIONS"}
        problems = (
            [] if allowed == documented else [f"Allow {sorted(allowed)} but the document has {sorted(documented)}"]
        )
        return problems + self.validate(json.loads(read_body(response)), {"$ref": "#/components/schemas/Error"})

    def _headers(self, declared, response):
        problems = []
        for name, header in declared.get("headers", {}).items():
            if name not in response:
                if header.get("required"):
                    problems.append(f"required header {name} is missing")
                continue
            value = response[name]
            schema = header.get("schema", {})
            if schema.get("type") == "integer" and value.isdigit():
                value = int(value)
            problems += [f"header {name}: {message}" for message in self.validate(value, schema)]
        return problems

    def _text_body(self, media_type, text):
        """What the document says of text formats in words: NDJSON lines are ClaimDetails, CSV has its columns."""
        if media_type == "application/x-ndjson":
            problems = []
            for number, line in enumerate(text.splitlines(), 1):
                detail = {"$ref": "#/components/schemas/ClaimDetail"}
                problems += [f"line {number}: {message}" for message in self.validate(json.loads(line), detail)]
            return problems
        if media_type == "text/csv":
            header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
            return [] if header == list(exports.CSV_COLUMNS) else [f"CSV columns {header}"]
        return []

    def _record(self, method, path, response, problems):
        self.problems += [f"{method} {path} → {response.status_code}: {problem}" for problem in problems]
        return problems


@pytest.fixture
def document():
    response = Client().get(f"{API}/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def conformance(document):
    return Conformance(document)


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


class Caller:
    """A client for one role whose every response is checked against the document."""

    def __init__(self, conformance, client):
        self.conformance, self.client = conformance, client

    def __call__(self, method, path, expect, data=None, *, query=None, headers=None, content_type=None):
        url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        kwargs = {"headers": headers or {}}
        if data is not None:
            kwargs["data"] = data if content_type else json.dumps(data)
            kwargs["content_type"] = content_type or "application/json"
        response = getattr(self.client, method.lower())(url, **kwargs)
        problems = self.conformance.check(method, urlsplit(path).path, response)
        assert response.status_code == expect, (method, url, response.status_code, read_body(response)[:500])
        assert not problems, problems
        if response.get("Content-Type", "").startswith("application/json") and read_body(response):
            return response, json.loads(read_body(response))
        return response, None


def token_for(conformance, username):
    call = Caller(conformance, APIClient())
    _, body = call("POST", f"{API}/auth/token/", 200, {"username": username, "password": PASSWORD})
    return body["token"]


def caller_with_token(conformance, token):
    return Caller(conformance, APIClient(headers={"Authorization": f"Token {token}"}))


ARTICLE = {
    "title": "Counteroffensive in the Kharkiv region",
    "url": "https://news.example.org/kharkiv",
    "publisher": "Example News",
    "published_at": "2022-09-10T12:00:00Z",
    "body": "Report from the front. " + " ".join(SENTENCES),
}


def test_every_response_of_a_full_journey_conforms_to_the_openapi_document(
    conformance, settings, monkeypatch, tmp_path
):
    ReviewerFactory(username="rita")
    EditorFactory(username="ed")
    stan = UserFactory(username="stan", is_staff=True, is_superuser=True)
    anon = Caller(conformance, APIClient())
    staff_client = APIClient(enforce_csrf_checks=True)
    staff_client.force_login(stan)  # a session, as the admin's login gives
    staff = Caller(conformance, staff_client)

    # Tokens: refused credentials, then a reviewer's and an editor's (and a spare one to revoke).
    anon("POST", f"{API}/auth/token/", 400, {"username": "rita", "password": "wrong"})
    anon("POST", f"{API}/auth/token/", 400, {"username": "rita"})
    reviewer = caller_with_token(conformance, token_for(conformance, "rita"))
    editor = caller_with_token(conformance, token_for(conformance, "ed"))
    spare = caller_with_token(conformance, token_for(conformance, "rita"))
    spare("POST", f"{API}/auth/token/revoke/", 204)
    spare("GET", f"{API}/reviews/", 401)
    caller_with_token(conformance, "not-a-token")("GET", f"{API}/claims/", 401)
    bearer = Caller(conformance, APIClient(headers={"Authorization": f"Bearer {token_for(conformance, 'ed')}"}))
    bearer("GET", f"{API}/reviews/", 200)
    Caller(conformance, APIClient(headers={"Authorization": "Bearer"}))("GET", f"{API}/exports/claims", 401)
    Caller(conformance, APIClient(headers={"Authorization": "Basic cml0YTp4"}))("GET", f"{API}/claims/", 401)

    # Articles: create (Location), the same body again, list, read, edit, extract.
    response, article = reviewer("POST", f"{API}/articles/", 201, ARTICLE)
    assert response["Location"].endswith(f"{API}/articles/{article['id']}/")
    reviewer("POST", f"{API}/articles/", 200, ARTICLE)
    untitled = {key: value for key, value in ARTICLE.items() if key != "title"}
    reviewer("POST", f"{API}/articles/", 400, untitled)  # the same body, but not a request the document allows
    _, bare = reviewer(
        "POST", f"{API}/articles/", 201, {**ARTICLE, "url": "", "body": "Nothing here."}, query={"extract": "false"}
    )
    reviewer("POST", f"{API}/articles/", 400, {**ARTICLE, "title": 7, "body": "Other text."})
    anon("POST", f"{API}/articles/", 401, ARTICLE)
    reviewer("GET", f"{API}/articles/", 200, query={"ordering": "-published_at,id", "page_size": "1"})
    reviewer("GET", f"{API}/articles/", 400, query={"ordering": "body"})
    anon("GET", f"{API}/articles/{article['id']}/", 404)  # until one of its claims is verified
    reviewer("GET", f"{API}/articles/{article['id']}/", 200)
    reviewer("PATCH", f"{API}/articles/{article['id']}/", 200, {"publisher": "Example News Ltd"})
    reviewer("PUT", f"{API}/articles/{bare['id']}/", 200, {**ARTICLE, "url": None, "body": "Nothing here."})
    _, extracted = reviewer("POST", f"{API}/articles/{article['id']}/extract/", 200)
    anon("POST", f"{API}/articles/{article['id']}/extract/", 401)
    reviewer("GET", f"{API}/articles/999999/", 404)
    german = {**ARTICLE, "url": None, "language": "de", "body": "Die Preise stiegen im August um 9,4 Prozent."}
    _, created_german = reviewer("POST", f"{API}/articles/", 201, german)
    assert created_german["extraction"]["status"] == "unsupported_language"
    reviewer("POST", f"{API}/articles/{created_german['id']}/extract/", 422)

    # Check-worthiness: sentences or a text scored, nothing stored; refusals.
    sentences = {"sentences": [SENTENCES[0], "Too short."]}
    _, scored = reviewer("POST", f"{API}/check-worthiness/", 200, sentences)
    assert [result["start"] for result in scored["results"]] == [0, 0]
    editor("POST", f"{API}/check-worthiness/", 200, {"text": ARTICLE["body"], "language": "en-GB"})
    reviewer("POST", f"{API}/check-worthiness/", 400, {"sentences": []})
    reviewer("POST", f"{API}/check-worthiness/", 400, {"sentences": ["x"], "text": "x"})
    reviewer("POST", f"{API}/check-worthiness/", 422, {**sentences, "language": "fr"})
    reviewer("POST", f"{API}/check-worthiness/", 413, {"text": "x" * (2 * 1024 * 1024)})
    anon("POST", f"{API}/check-worthiness/", 401, sentences)

    # Claims: list with filters, pages, detail, edit with versions, create, history, similar.
    claims = sorted(extracted["claims"], key=lambda claim: claim["start"])
    assert len(claims) >= 3
    first, second, third = claims[:3]
    _, page = reviewer("GET", f"{API}/claims/", 200, query={"article": article["id"], "page_size": "2"})
    next_page = urlsplit(page["next"])
    reviewer("GET", f"{next_page.path}?{next_page.query}", 200)
    reviewer("GET", f"{API}/claims/", 400, query={"article": "1.5"})
    reviewer("GET", f"{API}/claims/", 400, query={"updated_since": ""})
    reviewer("GET", f"{API}/claims/", 404, query={"cursor": "garbage"})
    reviewer("GET", f"{API}/claims/", 200, query={"ordering": "-check_worthiness", "status": "candidate"})
    response, detail = reviewer("GET", f"{API}/claims/{first['id']}/", 200)
    etag = response["ETag"]
    reviewer("PATCH", f"{API}/claims/{first['id']}/", 200, {"status": "accepted"}, headers={"If-Match": etag})
    reviewer("PATCH", f"{API}/claims/{first['id']}/", 412, {"claimant": "X"}, headers={"If-Match": etag})
    reviewer("PATCH", f"{API}/claims/{first['id']}/", 409, {"claimant": "X", "version": detail["version"]})
    reviewer("PATCH", f"{API}/claims/{first['id']}/", 400, {"tags": [0]})
    reviewer("PATCH", f"{API}/claims/{first['id']}/", 428, {"claimant": "X"})  # names no version
    reviewer("PUT", f"{API}/claims/{first['id']}/", 400)
    reviewer("PUT", f"{API}/claims/{second['id']}/", 200, {"status": "accepted", "version": second["version"]})
    reviewer("POST", f"{API}/claims/", 415, "article=1", content_type="text/plain")
    reviewer("POST", f"{API}/claims/", 413, {"article": article["id"], "quote": "x" * (2 * 1024 * 1024)})
    _, made = reviewer(
        "POST", f"{API}/claims/", 201, {"article": bare["id"], "quote": "Nothing here.", "claimant": "Nobody"}
    )
    reviewer("GET", f"{API}/claims/{made['id']}/", 200)
    reviewer("GET", f"{API}/claims/{first['id']}/history/", 200)
    reviewer("GET", f"{API}/claims/{first['id']}/similar/", 200, query={"limit": "5"})
    reviewer("GET", f"{API}/claims/similar/", 200, query={"text": "troops liberated towns"})
    reviewer("GET", f"{API}/claims/similar/", 400, query={"text": "towns", "limit": "1.5"})
    reviewer("GET", f"{API}/claims/similar/", 400)
    anon("GET", f"{API}/claims/{first['id']}/", 404)

    # Claimants: list with search and type, detail with the record, claims/?claimant_id=, create, edit, merge.
    claimant_id = made["claimant_id"]
    _, found = reviewer("GET", f"{API}/claimants/", 200, query={"search": "nobody", "type": "person"})
    assert [item["id"] for item in found["results"]] == [claimant_id]
    reviewer("GET", f"{API}/claimants/", 400, query={"type": "alien"})
    reviewer("GET", f"{API}/claimants/{claimant_id}/", 200)
    _, by_claimant = reviewer("GET", f"{API}/claims/", 200, query={"claimant_id": claimant_id})
    assert [item["id"] for item in by_claimant["results"]] == [made["id"]]
    reviewer("GET", f"{API}/claims/", 400, query={"claimant_id": "x"})
    reviewer("POST", f"{API}/claimants/", 403, {"name": "Ministry of Health"})
    anon("POST", f"{API}/claimants/", 401, {"name": "Ministry of Health"})
    health = {"name": "Ministry of Health", "same_as": ["https://example.org/moh"]}
    response, ministry = editor("POST", f"{API}/claimants/", 201, health)
    assert response["Location"].endswith(f"{API}/claimants/{ministry['id']}/")
    editor("POST", f"{API}/claimants/", 400, {"name": "the ministry of health"})  # the same claimant
    described = {"description": "The health ministry."}
    editor("PATCH", f"{API}/claimants/{ministry['id']}/", 428, described)  # names no version
    editor("PATCH", f"{API}/claimants/{ministry['id']}/", 412, described, headers={"If-Match": '"9"'})
    editor("PATCH", f"{API}/claimants/{ministry['id']}/", 200, {**described, "version": ministry["version"]})
    reviewer("PATCH", f"{API}/claimants/{ministry['id']}/", 403, {"description": "x"})
    editor("PUT", f"{API}/claimants/{ministry['id']}/", 405, health)
    _, duplicate = editor("POST", f"{API}/claimants/", 201, {"name": "Health Ministry Press Office"})
    editor("POST", f"{API}/claimants/{duplicate['id']}/merge/", 400, {"into": duplicate["id"]})
    reviewer("POST", f"{API}/claimants/{duplicate['id']}/merge/", 403, {"into": ministry["id"]})
    editor("POST", f"{API}/claimants/{duplicate['id']}/merge/", 200, {"into": ministry["id"]})
    editor("GET", f"{API}/claimants/{duplicate['id']}/", 404)
    anon("GET", f"{API}/claimants/", 200)
    anon("GET", f"{API}/claimants/{claimant_id}/", 404)  # no verified claim

    # Reviews: draft, evidence, submit, return, publish; another reviewer's view; deletions.
    draft = {"claim": first["id"], "verdict": "false", "summary": "The ministry later gave 200."}
    response, review = reviewer("POST", f"{API}/reviews/", 201, draft)
    assert response["Location"].endswith(f"{API}/reviews/{review['id']}/")
    rid = review["id"]
    reviewer("POST", f"{API}/reviews/", 400, {"claim": str(first["id"]), "verdict": "false"})
    reviewer("POST", f"{API}/reviews/{rid}/submit/", 400)  # no evidence yet
    evidence_body = {
        "url": "https://example.org/report",
        "title": "Report",
        "stance": "refutes",
        "source_type": "official",
        "archive_url": "",
    }
    response, evidence = reviewer("POST", f"{API}/reviews/{rid}/evidence/", 201, evidence_body)
    assert response["Location"].endswith(f"{API}/evidence/{evidence['id']}/")
    reviewer("POST", f"{API}/reviews/{rid}/evidence/", 400, {**evidence_body, "archive_url": "nope"})
    _, extra = reviewer(
        "POST", f"{API}/reviews/{rid}/evidence/", 201, {**evidence_body, "url": "https://example.org/2"}
    )
    reviewer("GET", f"{API}/reviews/{rid}/evidence/", 200)
    reviewer("GET", f"{API}/evidence/{evidence['id']}/", 200)
    reviewer("PATCH", f"{API}/evidence/{evidence['id']}/", 200, {"archive_url": "https://archive.example.org/1"})
    reviewer("PUT", f"{API}/evidence/{evidence['id']}/", 200, {**evidence_body, "title": "The report"})
    reviewer("DELETE", f"{API}/evidence/{extra['id']}/", 204)
    reviewer("GET", f"{API}/evidence/{extra['id']}/", 404)
    response, review = reviewer("GET", f"{API}/reviews/{rid}/", 200)
    reviewer("PATCH", f"{API}/reviews/{rid}/", 200, {"rating_text": "Wrong"}, headers={"If-Match": response["ETag"]})
    _, review = reviewer("GET", f"{API}/reviews/{rid}/", 200)
    reviewer("PUT", f"{API}/reviews/{rid}/", 200, {**draft, "version": review["version"]})
    reviewer("GET", f"{API}/reviews/", 200, query={"claim": first["id"], "state": "draft", "ordering": "-id"})
    reviewer("GET", f"{API}/reviews/", 400, query={"claim": "one"})
    anon("GET", f"{API}/reviews/{rid}/", 404)
    anon("PATCH", f"{API}/reviews/{rid}/", 401, {"summary": "x"})
    reviewer("POST", f"{API}/reviews/{rid}/submit/", 200)
    reviewer("POST", f"{API}/reviews/{rid}/publish/", 403)
    editor("POST", f"{API}/reviews/{rid}/return/", 400, {})
    editor("POST", f"{API}/reviews/{rid}/return/", 200, {"comment": "Cite the ministry."})
    reviewer("POST", f"{API}/reviews/{rid}/submit/", 200)
    editor("POST", f"{API}/reviews/{rid}/publish/", 400)  # the claim has no reviewed wording yet
    _, current = reviewer("GET", f"{API}/claims/{first['id']}/", 200)
    wording = {"claim_reviewed": "The ministry said 2,000 soldiers were killed.", "version": current["version"]}
    reviewer("PATCH", f"{API}/claims/{first['id']}/", 200, wording)
    editor("POST", f"{API}/reviews/{rid}/publish/", 200)
    reviewer("DELETE", f"{API}/reviews/{rid}/", 409, headers={"If-Match": "*"})
    _, published_claim = reviewer("GET", f"{API}/claims/{first['id']}/", 200)
    changed = {"claimant": "Someone else", "version": published_claim["version"]}
    reviewer("PATCH", f"{API}/claims/{first['id']}/", 409, changed)  # the published record: only by a correction
    reviewer("PATCH", f"{API}/evidence/{evidence['id']}/", 409, {"title": "Changed"})
    # Assignment: taken, reassigned by an editor, refused to a reviewer, released by a versioned PATCH.
    reviewer("POST", f"{API}/claims/{first['id']}/assign/", 200, {"assignee": "me"})
    editor("POST", f"{API}/claims/{first['id']}/assign/", 200, {"assignee": "me"})
    reviewer("POST", f"{API}/claims/{first['id']}/assign/", 403, {"assignee": "me"})
    editor("POST", f"{API}/claims/{first['id']}/assign/", 400, {"assignee": "no-such-user"})
    anon("POST", f"{API}/claims/{first['id']}/assign/", 401, {"assignee": "me"})
    reviewer("GET", f"{API}/claims/", 200, query={"assignee": "none"})
    anon("GET", f"{API}/claims/", 400, query={"assignee": "me"})
    _, assigned = editor("GET", f"{API}/claims/{first['id']}/", 200)
    editor("PATCH", f"{API}/claims/{first['id']}/", 200, {"assignee": None, "version": assigned["version"]})
    _, second_review = reviewer("POST", f"{API}/reviews/", 201, {"claim": third["id"], "verdict": "mixed"})
    response, _ = editor("GET", f"{API}/reviews/{second_review['id']}/", 200)
    reviewer("DELETE", f"{API}/reviews/{second_review['id']}/", 428)  # names no version
    reviewer("DELETE", f"{API}/reviews/{second_review['id']}/", 204, headers={"If-Match": response["ETag"]})
    reviewer("DELETE", f"{API}/reviews/{second_review['id']}/", 404, headers={"If-Match": response["ETag"]})

    # Recurring claims: the second claim confirmed as an appearance of the first, undone, confirmed again;
    # a rejected pair; the refusals.
    reviewer("POST", f"{API}/claims/{second['id']}/match/", 200, {"claim": first["id"]})
    reviewer("DELETE", f"{API}/claims/{second['id']}/match/", 200)
    reviewer("DELETE", f"{API}/claims/{second['id']}/match/", 409)  # nothing to undo
    editor("POST", f"{API}/claims/{second['id']}/match/", 200, {"claim": first["id"]})
    reviewer("POST", f"{API}/claims/{second['id']}/match/", 400, {"claim": "one"})
    reviewer("POST", f"{API}/claims/{second['id']}/match/", 400, {"claim": second["id"]})
    reviewer("POST", f"{API}/claims/{first['id']}/match/", 409, {"claim": third["id"]})  # has its own review
    reviewer("POST", f"{API}/claims/{made['id']}/match/reject/", 409, {})  # no suggestion
    reviewer("POST", f"{API}/claims/{made['id']}/match/reject/", 200, {"claim": first["id"]})
    anon("POST", f"{API}/claims/{made['id']}/match/", 401, {"claim": first["id"]})
    anon("GET", f"{API}/claims/{second['id']}/", 200)  # an appearance of a published claim

    # What anonymous readers and staff see of the published record.
    anon("GET", f"{API}/claims/", 200)
    anon("GET", f"{API}/claims/{first['id']}/", 200)
    anon("GET", f"{API}/claims/{first['id']}/history/", 200)
    anon("GET", f"{API}/reviews/", 200)
    anon("GET", f"{API}/reviews/{rid}/", 200)
    anon("GET", f"{API}/reviews/{rid}/evidence/", 200)
    anon("GET", f"{API}/evidence/{evidence['id']}/", 200)
    anon("GET", f"{API}/articles/", 200)
    anon("GET", f"{API}/articles/{article['id']}/", 200)
    anon("GET", f"{API}/claims/similar/", 200, query={"text": "soldiers killed"})
    anon("GET", f"{API}/claims/{first['id']}/similar/", 200)

    # Events: every type so far as the newsroom sees them, the public ones as readers do; polling; refusals.
    _, newsroom_events = editor("GET", f"{API}/events/", 200, query={"after": "0", "page_size": "200"})
    assert {event["type"] for event in newsroom_events["results"]} == {
        "claim.created",
        "claim.verified",
        "claim.matched",
        "review.submitted",
        "review.returned",
        "review.published",
    }
    _, public_events = anon("GET", f"{API}/events/", 200, query={"type": "claim.verified,review.published"})
    reviewer("GET", f"{API}/events/", 200, query={"after": str(public_events["results"][-1]["id"]), "page_size": "1"})
    anon("GET", f"{API}/events/", 400, query={"type": "review.deleted"})
    anon("GET", f"{API}/events/", 400, query={"after": str(newsroom_events["results"][0]["id"])})  # not public
    editor("GET", f"{API}/events/", 404, query={"cursor": "garbage"})

    # Fact-checks from elsewhere: imported by editors (JSON, JSON-LD, an HTML page), listed for anyone,
    # and matched by the similar-claims lookups next to the newsroom's claims.
    checked = {
        "@type": "ClaimReview",
        "url": "https://checks.example.org/fact-check/1",
        "claimReviewed": SENTENCES[0],
        "author": {"@type": "Organization", "name": "Other Checks", "url": "https://checks.example.org/"},
        "reviewRating": {"ratingValue": "2", "bestRating": 5, "worstRating": 1, "alternateName": "Mostly false"},
        "itemReviewed": {"@type": "Claim", "author": "The ministry", "datePublished": "2022-09-10"},
        "datePublished": "2022-09-12T08:00:00Z",
    }
    response, report = editor("POST", f"{API}/imports/claimreview/", 201, [checked])
    assert response["Location"].endswith(f"{API}/external-fact-checks/")
    editor("POST", f"{API}/imports/claimreview/", 200, json.dumps(checked), content_type="application/ld+json")
    page = f'<html><script type="application/ld+json">{json.dumps({**checked, "url": checked["url"] + "/2"})}</script>'
    editor("POST", f"{API}/imports/claimreview/", 201, page, content_type="text/html")
    editor("POST", f"{API}/imports/claimreview/", 400, [checked, {"@type": "ClaimReview"}])
    editor("POST", f"{API}/imports/claimreview/", 400, "<html></html>", content_type="text/html")
    reviewer("POST", f"{API}/imports/claimreview/", 403, [checked])
    anon("POST", f"{API}/imports/claimreview/", 401, [checked])
    anon("GET", f"{API}/external-fact-checks/", 200, query={"search": "soldiers killed"})
    anon("GET", f"{API}/external-fact-checks/{report['items'][0]['id']}/", 200)
    _, matches = anon("GET", f"{API}/claims/similar/", 200, query={"text": SENTENCES[0]})
    assert "external" in [match["kind"] for match in matches]
    reviewer("GET", f"{API}/claims/{first['id']}/similar/", 200, query={"external": "false"})
    staff("GET", f"{API}/claims/", 200)
    staff("GET", f"{API}/reviews/{rid}/", 200)

    # Exports in every format, conditional requests, refusals, and the busy and throttled answers.
    etags = {}
    for fmt in exports.FORMATS:
        response, _ = anon("GET", f"{API}/exports/claims", 200, query={"format": fmt})
        etags[fmt] = response["ETag"]
        reviewer("GET", f"{API}/exports/claims", 200, query={"format": fmt, "article": article["id"]})
    anon("GET", f"{API}/exports/claims", 304, query={"format": "csv"}, headers={"If-None-Match": etags["csv"]})
    anon("GET", f"{API}/exports/claims", 412, headers={"If-Match": '"stale"'})
    anon("GET", f"{API}/exports/claims", 400, query={"format": "xml"})
    anon("GET", f"{API}/exports/claims", 400, query={"format": ""})
    anon("GET", f"{API}/exports/claims", 400, query={"article": "1.5"})
    settings.FACTCHECK_MAX_CONCURRENT_EXPORTS = 0
    anon("GET", f"{API}/exports/claims", 503)
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "export_anon", "1/hour")
    cache.clear()
    anon("GET", f"{API}/exports/claims", 503)
    anon("GET", f"{API}/exports/claims", 429)

    # Long work left to background jobs: an export to a file, a long extraction, a large import; polled.
    settings.MEDIA_ROOT = tmp_path
    settings.FACTCHECK_EXTRACTION_INLINE_CHARS = 10
    settings.FACTCHECK_IMPORT_INLINE_BYTES = 10
    _, job = reviewer("POST", f"{API}/exports/claims/file/", 202, query={"format": "csv"})
    reviewer("POST", f"{API}/exports/claims/file/", 400, query={"verdict": "nonsense"})
    anon("POST", f"{API}/exports/claims/file/", 401)
    reviewer("GET", f"{API}/jobs/{job['id']}/", 200)
    reviewer("GET", f"{API}/jobs/{job['id']}/download/", 404)
    reviewer("POST", f"{API}/articles/{article['id']}/extract/", 202)
    editor("POST", f"{API}/imports/claimreview/", 202, [checked])
    jobs.work(burst=True)
    _, done = reviewer("GET", f"{API}/jobs/{job['id']}/", 200)
    assert done["status"] == "succeeded"
    reviewer("GET", f"{API}/jobs/{job['id']}/download/", 200)
    editor("GET", f"{API}/jobs/{job['id']}/", 404)
    anon("GET", f"{API}/jobs/{job['id']}/", 401)
    staff("GET", f"{API}/jobs/{job['id']}/", 200)

    # Webhooks (editors): subscribe (the secret once), a refused receiver, the delivery log, redelivery.
    hook_body = {"name": "Partner app", "url": "https://93.184.215.14/hooks", "audience": "newsroom"}
    _, hook = editor("POST", f"{API}/webhooks/", 201, {**hook_body, "event_types": ["*"]})
    editor("POST", f"{API}/webhooks/", 400, {**hook_body, "url": "https://127.0.0.1/hooks", "event_types": ["*"]})
    reviewer("GET", f"{API}/webhooks/", 403)
    anon("GET", f"{API}/webhooks/", 401)
    editor("GET", f"{API}/webhooks/", 200)
    editor("GET", f"{API}/webhooks/{hook['id']}/", 200)
    editor("PATCH", f"{API}/webhooks/{hook['id']}/", 200, {"event_types": ["claim.created"]})
    editor("PATCH", f"{API}/webhooks/{hook['id']}/", 400, {"audience": "public"})  # claim.created is newsroom-only
    editor("POST", f"{API}/webhooks/{hook['id']}/rotate-secret/", 200)
    _, hooked = reviewer(
        "POST",
        f"{API}/articles/",
        201,
        {**ARTICLE, "url": "https://example.org/hooked", "body": "Hooks are called."},
        query={"extract": "false"},
    )
    reviewer("POST", f"{API}/claims/", 201, {"article": hooked["id"], "quote": "Hooks are called."})
    answered = outbound.Response(status=204, duration_ms=3, body_excerpt="", redirect=False)
    monkeypatch.setattr(outbound, "post", lambda url, body, headers, **options: answered)
    jobs.work(burst=True)
    _, log = editor("GET", f"{API}/webhooks/{hook['id']}/deliveries/", 200, query={"status": "delivered"})
    assert [entry["event_type"] for entry in log["results"]] == ["claim.created"]
    editor("GET", f"{API}/webhooks/{hook['id']}/deliveries/", 400, query={"status": "lost"})
    editor("POST", f"{API}/webhooks/{hook['id']}/deliveries/{log['results'][0]['id']}/redeliver/", 202)
    editor("POST", f"{API}/webhooks/{hook['id']}/deliveries/999999/redeliver/", 404)
    editor("DELETE", f"{API}/webhooks/{hook['id']}/", 204)

    # Methods the document does not list for a path.
    reviewer("DELETE", f"{API}/claims/{first['id']}/", 405)
    editor("PUT", f"{API}/exports/claims", 405, {})
    editor("GET", f"{API}/reviews/{rid}/publish/", 405)

    # The reviewer logs out of every token: the token in use no longer works.
    reviewer("POST", f"{API}/auth/token/revoke-all/", 204)
    reviewer("GET", f"{API}/claims/", 401)

    assert not conformance.problems
    untested = {(method, template) for method, template, _, _ in conformance.operations} - conformance.exercised
    assert not untested, f"operations of the document the journey never called: {sorted(untested)}"
    assert {200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429, 503} <= conformance.statuses


def test_the_document_spells_nullable_with_a_type_and_no_ambiguous_url_fields(document):
    untyped = []

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("nullable") and "type" not in node:
                untyped.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(document, "#")
    assert untyped == []
    archive_url = document["components"]["schemas"]["Evidence"]["properties"]["archive_url"]
    assert Conformance(document).validate("", archive_url) == []
    parameters = {p["name"]: p["schema"] for p in document["paths"][f"{API}/claims/"]["get"]["parameters"]}
    assert parameters["article"]["type"] == "integer"
    assert "-check_worthiness" in parameters["ordering"]["items"]["enum"]


class FakeResponse(dict):
    """Just enough of a Django response for ``Conformance.check``."""

    def __init__(self, status_code, body, content_type="application/json", **headers):
        super().__init__({"Content-Type": content_type, **headers})
        self.status_code = status_code
        self.content = body if isinstance(body, bytes) else json.dumps(body).encode()


def test_the_conformance_check_catches_each_kind_of_disagreement(document):
    conformance = Conformance(document)
    claim = {
        "id": 1,
        "article": 1,
        "quote": "q",
        "start": 0,
        "end": 1,
        "claim_reviewed": "",
        "claimant": "",
        "claimed_at": None,
        "check_worthiness": 0.5,
        "status": "verified",
        "verdict": "false",
        "matched_to": None,
        "tags": [],
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "version": 1,
        "article_title": "t",
        "article_url": None,
        "published_review": None,
        "appearances": [],
    }
    path = f"{API}/claims/1/"
    assert conformance.check("GET", path, FakeResponse(200, claim, ETag='"1"')) == []
    assert conformance.check("GET", path, FakeResponse(200, {**claim, "article_url": 5}, ETag='"1"'))
    assert conformance.check("GET", path, FakeResponse(200, {**claim, "status": "gone"}, ETag='"1"'))
    assert conformance.check("GET", path, FakeResponse(200, claim)) == ["required header ETag is missing"]
    assert conformance.check("GET", path, FakeResponse(418, {"detail": "teapot"}))
    assert conformance.check("GET", path, FakeResponse(200, b"<html>", content_type="text/html", ETag='"1"'))
    csv_export = FakeResponse(200, b"a,b\n", content_type="text/csv", ETag='W/"a1"')
    assert conformance.check("GET", f"{API}/exports/claims", csv_export) == [f"CSV columns {['a', 'b']}"]
    assert conformance.check("DELETE", path, FakeResponse(405, {"detail": "no"}, Allow="GET, DELETE"))
    assert conformance.check("DELETE", path, FakeResponse(204, b""))
    assert conformance.check("GET", f"{API}/nowhere/", FakeResponse(404, {"detail": "no"}))
    # An ambiguous oneOf, as drf-spectacular wrote blank URLs, is caught: "" matched both branches.
    ambiguous = {"oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]}
    assert conformance.validate("", ambiguous)
