from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    role_permissions = {
        "front_desk": ["scheduling.view_chair"],
        "nurse": ["scheduling.view_chair"],
        "physician": ["scheduling.view_chair"],
        "clinic_admin": [
            "scheduling.add_chair",
            "scheduling.change_chair",
            "scheduling.view_chair",
            "scheduling.add_reminderrule",
            "scheduling.change_reminderrule",
            "scheduling.view_reminderrule",
            "scheduling.add_messagetemplate",
            "scheduling.change_messagetemplate",
            "scheduling.view_messagetemplate",
            "scheduling.view_outboundmessage",
            "scheduling.view_smsoptout",
        ],
    }

    def ready(self):
        from clinic.staff import on_left_behind
        from patients.hooks import on_patient_deactivated

        from .selectors.work import nurse_work_left
        from .services.changes import cancel_visits_of_deactivated

        on_patient_deactivated(cancel_visits_of_deactivated)
        on_left_behind(nurse_work_left)
