"""Superbills in the API: issue one for a visit or a whole course (each issue is a
``DocumentIssue`` row, as on the superbill page: what, how, to which address, by whom,
when), download an issued superbill's PDF (an ``export`` in the access log), list the
patient's issued superbills. Front desk and clinic admins, like the pages."""

from django.http import HttpResponse
from django_filters.rest_framework import ChoiceFilter, FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action

from clinic.api import NamedChoiceField, StaffSerializer, service_errors, validated
from clinic.filters import IdFilter, OrderBy
from clinic.roles import DESK
from patients.api.common import PatientRecordViewSet
from scheduling.api.common import SchedulingErrorSerializer
from scheduling.selectors.scope import appointments_for, courses_for

from ..documents import document_pdf, filename, link_url
from ..models import DocumentIssue, DocumentKind, IssueMethod
from ..services import documents as services

REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer}
SUPERBILLS = (DocumentKind.VISIT_SUPERBILL, DocumentKind.COURSE_SUPERBILL)
SUPERBILLS_CHOICES = [(kind.value, kind.label) for kind in SUPERBILLS]


class SuperbillSerializer(serializers.ModelSerializer):
    diagnoses = serializers.SerializerMethodField(help_text="ICD-10-CM codes printed on it.")
    issued_by = StaffSerializer(read_only=True)
    pdf = serializers.SerializerMethodField(help_text="Where to download its PDF.")
    link = serializers.SerializerMethodField(help_text="The patient link, when given as one.")
    method = NamedChoiceField(IssueMethod.choices, enum_name="DocumentIssueMethodEnum",
                              read_only=True)  # fmt: skip
    kind = NamedChoiceField(SUPERBILLS_CHOICES, enum_name="SuperbillKindEnum", read_only=True)

    class Meta:
        model = DocumentIssue
        fields = [
            "id", "kind", "appointment", "course", "diagnoses", "method", "sent_to", "pdf",
            "link", "issued_at", "issued_by",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_diagnoses(self, issue) -> list[str]:
        return [code for code in issue.diagnoses.split(",") if code]

    def get_pdf(self, issue) -> str:
        path = f"/api/v1/patients/{issue.patient_id}/superbills/{issue.pk}/pdf/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_link(self, issue) -> str | None:
        link = getattr(issue, "link", None) if issue.method == IssueMethod.LINK else None
        return link_url(link) if link is not None else None


class SuperbillIssueSerializer(serializers.Serializer):
    appointment = serializers.IntegerField(
        required=False, min_value=1, help_text="A visit's superbill (or give ``course``)."
    )
    course = serializers.IntegerField(
        required=False, min_value=1, help_text="The whole course's superbill."
    )
    method = NamedChoiceField(
        IssueMethod.choices,
        enum_name="DocumentIssueMethodEnum",
        help_text="download (then GET its pdf), email (attached, to the address on file) "
        "or link (a patient link, date of birth first).",
    )
    diagnoses = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, default=list,
        help_text="ICD-10-CM codes among the patient's (default: all of them).",
    )  # fmt: skip

    def validate(self, data):
        if ("appointment" in data) == ("course" in data):
            raise serializers.ValidationError(
                {"non_field_errors": ["Give either an appointment or a course."]}
            )
        return data


class SuperbillFilter(FilterSet):
    kind = ChoiceFilter(choices=SUPERBILLS_CHOICES, help_text="A visit's or a course's.")
    appointment = IdFilter(help_text="Only this visit's.")
    course = IdFilter(help_text="Only this course's.")
    ordering = OrderBy("issued_at")


class SuperbillViewSet(PatientRecordViewSet):
    """The patient's issued superbills (a visit's or a course's), newest first."""

    queryset = DocumentIssue.objects.filter(kind__in=SUPERBILLS).select_related("issued_by", "link")
    serializer_class = SuperbillSerializer
    filterset_class = SuperbillFilter
    read_roles, write_roles = DESK, DESK

    @extend_schema(request=SuperbillIssueSerializer, responses={201: SuperbillSerializer,
                                                               **REFUSED})  # fmt: skip
    def create(self, request, *args, **kwargs):
        """Issue a superbill of one of the patient's visits or courses at your sites, by
        ``method``; the issue is recorded (and an email or link sent after the commit)."""
        data = validated(SuperbillIssueSerializer, request)
        target = {}
        if "appointment" in data:
            visit = (
                appointments_for(request.user)
                .filter(pk=data["appointment"], patient=self.patient)
                .first()
            )
            if visit is None:
                raise serializers.ValidationError(
                    {"appointment": ["No such visit of this patient at your sites."]}
                )
            target["appointment"] = visit
        else:
            course = courses_for(request.user).filter(pk=data["course"], patient=self.patient)
            if not course.exists():
                raise serializers.ValidationError(
                    {"course": ["No such course of this patient at your sites."]}
                )
            target["course"] = course.get()
        with service_errors():
            issue = services.document_issue(
                by=request.user, method=data["method"], diagnoses=data["diagnoses"], **target
            )
        return self.created(self.get_queryset().get(pk=issue.pk))

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            403: SchedulingErrorSerializer,
        }
    )
    def perform_content_negotiation(self, request, force=False):
        # The PDF answers whatever ``Accept`` says (application/pdf too); refusals are JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "pdf")

    @action(detail=True, methods=["get"])
    def pdf(self, request, *args, **kwargs):
        """The issued superbill as a PDF file (an export in the access log)."""
        issue = self.get_object()
        response = HttpResponse(document_pdf(issue), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename(issue)}"'
        return response
