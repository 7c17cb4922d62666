"""Where an app above patients takes part in a patient write it must have a say in.

Patients never imports the apps above it; they register here once, from their
``AppConfig.ready()``. Each hook runs inside the patients service's transaction, so a hook
that raises (a ``ValidationError``) refuses the whole write.
"""

from collections.abc import Callable

# Called as hook(patient=..., by=..., reason=...) when a patient's record is deactivated,
# the record already locked: scheduling cancels the visits still booked (and refuses while
# the patient is checked in or in the chair).
patient_deactivated: list[Callable] = []


def on_patient_deactivated(hook: Callable) -> Callable:
    if hook not in patient_deactivated:
        patient_deactivated.append(hook)
    return hook
