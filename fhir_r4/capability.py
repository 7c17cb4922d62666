"""``/fhir/r4/metadata``: the CapabilityStatement, built from what the endpoints serve
(search.PARAMETERS), so it cannot promise a parameter the server refuses."""

from django.utils import timezone

from .codes import PROFILE
from .search import DESCRIPTIONS, PARAMETERS, TYPES

PROFILES = {
    "Patient": [PROFILE["Patient"]],
    "Encounter": [PROFILE["Encounter"]],
    "QuestionnaireResponse": [PROFILE["QuestionnaireResponse"]],
    "Observation": [
        PROFILE[name]
        for name in (
            "blood-pressure",
            "heart-rate",
            "pulse-oximetry",
            "respiratory-rate",
            "body-temperature",
            "body-weight",
            "screening-assessment",
        )
    ],  # fmt: skip
}


def _resource(resource_type: str) -> dict:
    found = {
        "type": resource_type,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [
            {"name": name, "type": TYPES[name], "documentation": DESCRIPTIONS[name]}
            for name in PARAMETERS[resource_type]
        ],
    }
    if resource_type in PROFILES:
        found["supportedProfile"] = PROFILES[resource_type]
    if resource_type == "Patient":
        found["operation"] = [
            {
                "name": "everything",
                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
            }
        ]
    return found


def statement(base_url: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.localdate().isoformat(),
        "publisher": "Ketamine clinic",
        "kind": "instance",
        "software": {"name": "Ketamine clinic practice management"},
        "implementation": {"description": "Read-only FHIR R4 endpoints", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "instantiates": ["http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read and search only. Searches of clinical resources take "
                "patient=; paging with _count and _offset.",
                "security": {
                    "description": "The clinic's API authentication: a session, "
                    "'Authorization: Token ...' or 'Authorization: Api-Key ...' with the "
                    "fhir:read scope. A caller sees the patients of its own sites only.",
                },
                "resource": [_resource(name) for name in PARAMETERS],
            }
        ],
    }
