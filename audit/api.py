"""``GET /api/v1/audit/patients/<pk>/access-log/``: the access report, for clinic admins."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from clinic.access import HasRole
from clinic.roles import Role

from .forms import AccessFilterForm
from .models import AccessLog
from .selectors import patient_accesses, patient_for_report


class AccessLogSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = AccessLog
        fields = ["id", "at", "user", "username", "name", "kind", "view_name", "ip_address"]
        read_only_fields = fields


@extend_schema(
    parameters=[
        OpenApiParameter("since", str, description="YYYY-MM-DD, first day (UTC)"),
        OpenApiParameter("until", str, description="YYYY-MM-DD, last day (UTC)"),
    ]
)
class PatientAccessLogView(generics.ListAPIView):
    permission_classes = [HasRole.of(Role.CLINIC_ADMIN)]
    serializer_class = AccessLogSerializer
    # For the schema, which looks for filters on every list now that a filter backend is the
    # default; requests use get_queryset (the patient named in the URL).
    queryset = AccessLog.objects.none()

    def get_queryset(self):
        patient = patient_for_report(self.request.user, self.kwargs["pk"])
        form = AccessFilterForm(self.request.query_params)
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise serializers.ValidationError(
                {name: [error["message"] for error in found] for name, found in errors.items()}
            )
        return patient_accesses(patient, since=form.cleaned_data["since"],
                                until=form.cleaned_data["until"])  # fmt: skip
