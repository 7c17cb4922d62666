"""What every FHIR endpoint shares: the API's authentication (session, token, API key with its
scopes and sites), throttling and access log; JSON as ``application/fhir+json``; every
error as an OperationOutcome; searchset Bundles with paging links."""

from urllib.parse import urlencode

from django.http import Http404
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from clinic.access import HasRole
from clinic.roles import CLINICAL_READERS

from . import search

FHIR_JSON = "application/fhir+json"
# Who reads the record as FHIR: those who read the clinical record (API keys with the
# ``fhir:read`` scope act with the nurse's role, integrations/scopes.py).
READERS = CLINICAL_READERS


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class PlainJSONRenderer(JSONRenderer):
    """For a client that asks for application/json only."""


ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
               405: "not-supported", 406: "not-supported", 429: "throttled"}  # fmt: skip


def operation_outcome(status: int, detail: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": ISSUE_CODES.get(status, "exception"),
                "diagnostics": detail,
            }
        ],
    }


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    detail = data.get("detail") if isinstance(data, dict) else None
    response.data = operation_outcome(response.status_code, str(detail or data))
    response.content_type = FHIR_JSON
    return response


class FhirView(APIView):
    renderer_classes = [FhirJSONRenderer, PlainJSONRenderer]
    permission_classes = [HasRole.of(*READERS)]
    # Not in the OpenAPI schema of /api/v1/: FHIR's own description is /fhir/r4/metadata.
    schema = None

    def get_exception_handler(self):
        return exception_handler

    def base_url(self) -> str:
        return self.request.build_absolute_uri("/fhir/r4/")

    def full_url(self, resource: dict) -> str:
        return f"{self.base_url()}{resource['resourceType']}/{resource['id']}"

    def resource_response(self, resource: dict) -> Response:
        return Response(resource)

    def searchset(self, resources: list[dict], *, total: int, count: int, offset: int,
                  included: list[dict] = ()) -> Response:  # fmt: skip
        """A page of a search: ``resources`` are this page's matches (``total`` in all)."""
        params = {k: v for k, v in self.request.query_params.lists() if k not in search.PAGING}

        def link(relation: str, at: int) -> dict:
            query = urlencode([*((k, v) for k, vs in params.items() for v in vs),
                               ("_count", count), ("_offset", at)])  # fmt: skip
            url = self.request.build_absolute_uri(self.request.path)
            return {"relation": relation, "url": f"{url}?{query}"}

        links = [link("self", offset)]
        if count and offset + count < total:
            links.append(link("next", offset + count))
        if offset > 0:
            links.append(link("previous", max(offset - count, 0)))
        entries = [
            {"fullUrl": self.full_url(r), "resource": r, "search": {"mode": "match"}}
            for r in resources
        ] + [
            {"fullUrl": self.full_url(r), "resource": r, "search": {"mode": "include"}}
            for r in included
        ]
        bundle = {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links}
        if entries:
            bundle["entry"] = entries
        return Response(bundle)
