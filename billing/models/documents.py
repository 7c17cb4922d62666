"""Superbills and Good Faith Estimates given to the patient as PDF files: each issue is a
row (what, how, to whom, by whom, when). A patient link is one of those issues: a signed,
expiring address where the patient proves their date of birth and downloads the file."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.append_only import append_only_triggers
from clinic.patient_links import DateOfBirthThrottle
from patients.models import Patient
from scheduling.models import Appointment, Course

from .prices import GoodFaithEstimate


class DocumentKind(models.TextChoices):
    VISIT_SUPERBILL = "visit_superbill", "Superbill (one infusion)"
    COURSE_SUPERBILL = "course_superbill", "Superbill (course)"
    ESTIMATE = "estimate", "Good Faith Estimate"


class IssueMethod(models.TextChoices):
    DOWNLOAD = "download", "Printed or downloaded (PDF)"
    EMAIL = "email", "Emailed (PDF attached)"
    LINK = "link", "Patient link"


class DocumentIssue(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")  # fmt: skip
    course = models.ForeignKey(Course, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")  # fmt: skip
    estimate = models.ForeignKey(GoodFaithEstimate, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="issues")  # fmt: skip
    diagnoses = models.CharField(
        max_length=120, blank=True, help_text="The ICD-10-CM codes printed on a superbill."
    )
    method = models.CharField(max_length=8, choices=IssueMethod.choices)
    sent_to = models.CharField(max_length=254, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip

    class Meta:
        ordering = ["-issued_at", "-pk"]
        triggers = append_only_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="visit_superbill", appointment__isnull=False)
                | Q(kind="course_superbill", course__isnull=False)
                | Q(kind="estimate", estimate__isnull=False),
                name="document_issue_names_its_document",
            ),
            models.CheckConstraint(
                condition=~Q(method="email") | ~Q(sent_to=""),
                name="document_issue_email_has_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_method_display()}"


class DocumentLink(DateOfBirthThrottle):
    """The patient link of one issue. The URL carries the row's id signed with the project's
    key (``billing.documents.link_token``); expiry and the date-of-birth throttle live here."""

    issue = models.OneToOneField(DocumentIssue, on_delete=models.PROTECT, related_name="link")
    language = models.CharField(max_length=2, default="en")
    expires_at = models.DateTimeField()
    downloads = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"Link for {self.issue}"

    def state(self, now=None) -> str:
        if self.out_of_tries:
            return "revoked"
        return "expired" if self.expires_at <= (now or timezone.now()) else "live"

    def link_works(self) -> bool:
        return self.state() == "live"
