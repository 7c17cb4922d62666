"""GET /api/v1/work-waiting/: the counts on the caller's home page, for a dashboard to poll."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api import EVERYONE, HasRole

from ..selectors.homes import work_waiting_for


class WorkItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="The page where this work is done.")


class WorkWaitingSerializer(serializers.Serializer):
    role = serializers.CharField(help_text="The role whose home the counts are from.")
    items = WorkItemSerializer(many=True)


class WorkWaitingView(APIView):
    """The work waiting for the caller, with counts: the strip at the top of their home page
    (unsigned orders and flagged patients for a physician; escorts to confirm tomorrow,
    failed reminders and website requests for the front desk; ...), at the caller's sites."""

    permission_classes = [HasRole.of(*EVERYONE)]

    @extend_schema(responses={200: WorkWaitingSerializer})
    def get(self, request):
        role, items = work_waiting_for(request.user)
        body = {"role": role or "", "items": [item.as_dict() for item in items]}
        return Response(WorkWaitingSerializer(body).data)
