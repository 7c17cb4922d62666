"""What every patients endpoint shares: how a patient's records are found. The API helpers
of every app (role rules, service errors, ``validated``...) are in clinic/api.py."""

from functools import cached_property

from rest_framework import mixins, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from clinic.api import RoleRules
from clinic.models import User

from ..models import Patient
from ..selectors import patients_for


class PatientRecordViewSet(
    RoleRules, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Records of one patient, at ``/patients/{patient_pk}/<records>/``.

    The patient is found through ``patients_for``, so a patient of another site is a 404,
    and the permission check runs first, so a role that may not read the records gets 403.
    """

    @cached_property
    def patient(self) -> Patient:
        return get_object_or_404(patients_for(self.request.user), pk=self.kwargs["patient_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return self.queryset.none()
        return self.queryset.filter(patient=self.patient)

    @property
    def staff(self) -> User:
        return self.request.user

    def created(self, record, serializer_class=None) -> Response:
        serializer_class = serializer_class or self.get_serializer_class()
        body = serializer_class(record, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
