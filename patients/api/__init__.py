"""The patients REST API. Views validate input and call patients.services; nothing else.

Records that belong to one patient live under ``patients/{patient_pk}/``; register their
viewsets at ``f"{PATIENT}/weights"`` and so on.
"""

from .clinical import IntakeViewSet, ScreeningViewSet, WeightViewSet
from .consent import (
    CommunicationConsentViewSet,
    CommunicationPreferencesView,
    ConsentDocumentViewSet,
    ConsentSignatureViewSet,
)
from .measures import MeasureViewSet
from .pipeline import ConsultationRequestViewSet
from .registration import EscortViewSet, PatientViewSet

# DRF's own lookup pattern, so the schema types patient_pk from the records' patient field.
PATIENT = r"patients/(?P<patient_pk>[^/.]+)"

__all__ = [
    "PATIENT",
    "CommunicationConsentViewSet",
    "CommunicationPreferencesView",
    "ConsentDocumentViewSet",
    "ConsentSignatureViewSet",
    "ConsultationRequestViewSet",
    "EscortViewSet",
    "IntakeViewSet",
    "MeasureViewSet",
    "PatientViewSet",
    "ScreeningViewSet",
    "WeightViewSet",
]
