from django.apps import AppConfig


class FhirR4Config(AppConfig):
    # Not "fhir": the fhir.resources package the tests validate with owns that namespace.
    name = "fhir_r4"
    verbose_name = "FHIR R4"
