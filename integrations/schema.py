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
