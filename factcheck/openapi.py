"""OpenAPI document additions: the error responses every operation can give, documented once.

drf-spectacular documents the success response of each view. The errors come from shared machinery
(authentication, permissions, throttling, the request-size guard, the exception handler), so they
are added here for every operation rather than repeated on each view. So are the response headers
that shared machinery sets (``ETag``, ``Location``, ``Retry-After``), and two corrections to how
drf-spectacular writes OpenAPI 3.0 schemas (``typed_schemas``). ``tests/api/test_schema_conformance.py``
holds every response of a full journey to the result.
"""

from drf_spectacular import openapi

SAFE_METHODS = {"get", "head", "options"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong, in `detail`.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Invalid input: each offending field maps to its messages (`non_field_errors` for the whole "
        "object); a request that cannot be read at all has a `detail` instead."
    ),
    "additionalProperties": {},
}

COMMON_ERRORS = {
    "400": ("Invalid input.", "ValidationError"),
    "401": ("The credentials are missing, wrong, expired or revoked.", "Error"),
    "403": ("The authenticated user may not do this.", "Error"),
    "404": ("No such object, or not visible to this user; or an invalid page cursor.", "Error"),
    "413": ("The request body is larger than the limit.", "Error"),
    # From gunicorn (factcheck/gunicorn.conf.py), before the app sees the request.
    "414": ("The request line (the URL with its query) is longer than 4094 bytes.", "Error"),
    "431": ("A request header is larger than 8190 bytes, or there are more than 100.", "Error"),
    "429": ("Too many requests (throttled), or too many failed logins (locked out).", "Error"),
    "503": ("The database is unavailable; retry after `Retry-After` seconds.", "Error"),
}
WRITE_ERRORS = {
    "409": ("The change conflicts with the object's current state or version.", "Error"),
    "415": ("The request body is not JSON.", "Error"),
}
PRECONDITION_FAILED = ("`If-Match` names a version that is no longer current.", "Error")
PRECONDITION_REQUIRED = (
    "Neither `If-Match` nor a `version` field names the version you read: a change without one could "
    "overwrite someone else's.",
    "Error",
)
PRECONDITION_REQUIRED_DELETE = ("No `If-Match` names the version you read.", "Error")

WWW_AUTHENTICATE = {
    "description": "The schemes that would authenticate: `Token` and `Bearer`.",
    "schema": {"type": "string"},
}

# Response fields that only some users see, so they cannot be "required" in the document.
ROLE_DEPENDENT_FIELDS = {
    "Review": ["editor_comment"],  # newsroom only: reviews.api.serializers.ReviewSerializer.to_representation
    # newsroom only: claims.api.serializers.ClaimSerializer.shows_reasons
    "Claim": ["check_worthiness_reasons", "assignee"],
    # and the match suggestion: reviews.api.serializers.ClaimDetailSerializer.to_representation
    "ClaimDetail": ["check_worthiness_reasons", "assignee", "match_suggestion"],
}

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": (
        'The ETag you read (e.g. `"3"`); a stale one is refused with 412. Send it or a `version` field: '
        "with neither the change is refused with 428."
    ),
}
IF_MATCH_DELETE = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": 'The ETag you read (e.g. `"3"`): a stale one is refused with 412, none with 428.',
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, plus: reads that anonymous clients may make list ``{}`` among their security
    requirements (the credentials are optional there; a wrong one is still a 401)."""

    def get_auth(self):
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        anonymous_reads = permissions and all(getattr(p, "allows_anonymous_reads", False) for p in permissions)
        if self.method.lower() in SAFE_METHODS and anonymous_reads and {} not in auths:
            auths.append({})
        return auths


def _error_response(description, component):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _path_is_versioned(path_item, schemas):
    """Whether the object at this path carries a ``version``: its GET, PUT or PATCH answers with one."""
    return any(_is_versioned(path_item[method], schemas) for method in ("get", "put", "patch") if method in path_item)


def _is_versioned(operation, schemas):
    """Whether the operation answers with an object carrying a ``version`` (optimistic locking)."""
    for response in operation.get("responses", {}).values():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            component = schemas.get(ref.rsplit("/", 1)[1], {})
            if "version" in component.get("properties", {}):
                return True
    return False


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document error responses (and ``If-Match``) on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
    for component, fields in ROLE_DEPENDENT_FIELDS.items():
        required = schemas.get(component, {}).get("required", [])
        required[:] = [name for name in required if name not in fields]
    for path_item in result.get("paths", {}).values():
        versioned = _path_is_versioned(path_item, schemas)
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(COMMON_ERRORS)
            if method not in SAFE_METHODS:
                errors.update(WRITE_ERRORS)
                if method in ("put", "patch", "delete") and versioned:
                    errors["412"] = PRECONDITION_FAILED
                    errors["428"] = PRECONDITION_REQUIRED_DELETE if method == "delete" else PRECONDITION_REQUIRED
                    parameters = operation.setdefault("parameters", [])
                    if not any(p.get("name") == "If-Match" for p in parameters):
                        parameters.append(IF_MATCH_DELETE if method == "delete" else IF_MATCH)
            responses = operation["responses"]
            for code, (description, component) in errors.items():
                responses.setdefault(code, _error_response(description, component))
            if "401" in responses:
                responses["401"].setdefault("headers", {}).setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    return result


# --- Response headers ------------------------------------------------------------------------

HEADERS = {
    "ETag": {
        "description": "The object's version as an entity tag; send it back in `If-Match` to update it.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
    },
    "Location": {
        "description": "The API URL of the object created.",
        "required": True,
        "schema": {"type": "string", "format": "uri"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
}


def _versioned_component(response, schemas):
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    component = schemas.get(ref.rsplit("/", 1)[1], {}) if ref.startswith("#/components/schemas/") else {}
    return "version" in component.get("properties", {})


def add_response_headers(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the headers shared machinery sets.

    ``ETag`` on every success that is one versioned object (``factcheck.api.VersionedMixin``),
    ``Location`` on every 201 (``factcheck.api.CreatedLocationMixin``), ``Retry-After`` on every
    429 and 503 (throttles, the login lock-out, the database outage and export-slot handlers).
    Headers a view documents itself are kept.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                names = []
                if code in ("200", "201") and _versioned_component(response, schemas):
                    names.append("ETag")
                if code == "201":
                    names.append("Location")
                if code in ("429", "503"):
                    names.append("Retry-After")
                headers = response.setdefault("headers", {}) if names else {}
                for name in names:
                    headers.setdefault(name, HEADERS[name])
    return result


# --- OpenAPI 3.0 spelling ----------------------------------------------------------------------

# OpenAPI 3.0 reads ``nullable`` only next to a ``type``: a schema that may be null says so on a
# branch that has one. ``enum: [null]`` keeps the branch from admitting anything else.
NULL_BRANCH = {"type": "object", "nullable": True, "enum": [None]}


def _url_or_blank(branches):
    """``(maxLength, URL branch)`` when ``branches`` are drf-spectacular's "a URL or an empty string"."""
    if len(branches) != 2 or not all(branch.get("type") == "string" for branch in branches):
        return None
    url, blank = branches
    if url.get("format") != "uri" or blank.get("maxLength") != 0:
        return None
    return url


def _typed(schema):
    """``schema`` (a property's) spelled so that each part has a type and one reading."""
    branches = schema.get("oneOf")
    url = _url_or_blank(branches) if branches else None
    if url is not None:
        # An empty string is valid under both branches of drf-spectacular's oneOf (format is only an
        # annotation to many validators): "exactly one" failed for every empty URL. A string that is
        # a URL or empty, with the type where OpenAPI 3.0 needs it for nullable.
        typed = {key: value for key, value in schema.items() if key != "oneOf"}
        typed["type"] = "string"
        if "maxLength" in url:
            typed["maxLength"] = url["maxLength"]
        typed["anyOf"] = [{"format": "uri"}, {"maxLength": 0}]
        typed.setdefault("description", "A URL, or an empty string.")
        return typed
    refs = schema.get("allOf")
    if schema.get("nullable") and "type" not in schema and refs and len(refs) == 1 and "$ref" in refs[0]:
        typed = {key: value for key, value in schema.items() if key not in ("allOf", "nullable")}
        typed["oneOf"] = [refs[0], NULL_BRANCH]
        return typed
    return schema


def typed_schemas(result, generator, request, public):
    """drf-spectacular postprocessing hook: no ``nullable`` without a ``type``, no ambiguous ``oneOf``.

    - a URL field that may be blank is a ``oneOf`` of "URL" and "empty string": "" matched both, so
      every empty ``archive_url`` failed validation; it becomes one string type with an ``anyOf``;
    - a nullable reference (``allOf: [$ref]`` with ``nullable``) becomes ``oneOf: [$ref, null]``.
    """

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    for name, prop in value.items():
                        value[name] = _typed(prop) if isinstance(prop, dict) else prop
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(result)
    return result
