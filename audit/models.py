"""The access log: who opened which patient's record, when, from where, through which view.

No health data: only the patient's id, the URL name and the kind of read. Rows are
append-only (Postgres refuses UPDATE and DELETE), like auditlog's change log (migration
0002 puts the same guard on ``auditlog_logentry``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.append_only import append_only_triggers


class AccessKind(models.TextChoices):
    PAGE = "page", "Page"
    API = "api", "API"
    EXPORT = "export", "Export"


class AccessLog(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="access_log"
    )
    at = models.DateTimeField(default=timezone.now, help_text="When (stored in UTC).")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    view_name = models.CharField(max_length=120, help_text="The URL name of the view.")
    kind = models.CharField(max_length=8, choices=AccessKind.choices)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["patient", "-at"], name="accesslog_patient_at")]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.user_id} read patient {self.patient_id} via {self.view_name}"
