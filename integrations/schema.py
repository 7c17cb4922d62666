"""What the OpenAPI schema (drf-spectacular) says about API keys and idempotency."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .idempotency import HEADER, REPLAYED


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An integration's key: `Api-Key <prefix>.<secret>` (issued in the "
            "admin; its scopes and sites limit what it reaches).",
        }


IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Any unique string (a UUID). A retry with the same key and body gets the "
    f"first answer again (header `{REPLAYED}: true`) and writes nothing; the same key with "
    "another body is a 422. Kept 24 hours.",
}


def document_idempotency(result, generator, request, public):
    """Every POST takes the optional ``Idempotency-Key`` header and may answer 422."""
    for operations in result.get("paths", {}).values():
        operation = operations.get("post")
        if operation is None:
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == HEADER and p.get("in") == "header" for p in parameters):
            parameters.append(dict(IDEMPOTENCY_PARAMETER))
        operation.setdefault("responses", {}).setdefault(
            "422", {"description": f"The {HEADER} was used with a different request."}
        )
    return result


ERROR_SHAPE = {
    "type": "object",
    "description": "The one error shape of the API (clinic.api.exception_handler).",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Field name -> list of messages; a field of a list nests the same "
            "shape per item.",
        },
    },
    "required": ["detail", "errors"],
}
REFUSALS = {
    "400": "Invalid input: the fields are named in `errors`.",
    "401": "No credentials, or a wrong, revoked or expired key or token.",
    "403": "The caller's role, key scope or address may not do this.",
    "404": "No such row at the caller's sites.",
    "429": "Too many requests: see `Retry-After`.",
}


def document_refusals(result, generator, request, public):
    """Every operation may answer the refusals above, in the one error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SHAPE
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, text in REFUSALS.items():
                responses.setdefault(code, {"description": text, "content": content})
    return result
