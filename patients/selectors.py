from clinic.access import locations_for
from clinic.models import User

from .models import Patient, PatientQuerySet


def patients_for(user: User) -> PatientQuerySet:
    """Patients whose home site the user works at."""
    return Patient.objects.at_locations(locations_for(user)).select_related("home_location")
