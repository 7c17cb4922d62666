from .clinical import (
    Answer,
    Clearance,
    ClinicalIntake,
    Comorbidity,
    PriorTreatment,
    Screening,
    WeightMeasurement,
)
from .consent import CommunicationConsent, ConsentDocument, ConsentSignature
from .consultations import (
    BEFORE_REGISTRATION,
    OPEN_STAGES,
    STAGES,
    ConsultationRequest,
    ConsultationStageChange,
    ContactAttempt,
    Stage,
)
from .measures import MeasureKind, OutcomeMeasure, Phq9FollowUp
from .patient import MRN_SEQUENCE, EscortContact, Patient, PatientQuerySet

__all__ = [
    "MRN_SEQUENCE",
    "Answer",
    "Clearance",
    "ClinicalIntake",
    "Comorbidity",
    "CommunicationConsent",
    "ConsentDocument",
    "ConsentSignature",
    "ConsultationRequest",
    "ConsultationStageChange",
    "ContactAttempt",
    "BEFORE_REGISTRATION",
    "OPEN_STAGES",
    "STAGES",
    "Stage",
    "EscortContact",
    "MeasureKind",
    "OutcomeMeasure",
    "Patient",
    "PatientQuerySet",
    "Phq9FollowUp",
    "PriorTreatment",
    "Screening",
    "WeightMeasurement",
]
