from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    default_auto_field = "django.db.models.BigAutoField"

    # Admin permissions. Only clinic admins have patients in the admin, which shows every
    # site; the front desk, nurses and physicians use the patient pages, which show only
    # their sites' patients (a front desk given staff status must not see them all).
    role_permissions = {
        "clinic_admin": [
            "patients.add_patient",
            "patients.change_patient",
            "patients.view_patient",
        ],
    }
