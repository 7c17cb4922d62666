"""A course's outcome, its reviews and the booster candidates in ``/api/v1/``.

``courses/<id>/outcome/``: the outcome page's numbers, the charts' points included (clinical
readers, courses at their sites). ``course-reviews/`` (``?course=<id>``): the reviews, newest
first (clinical readers); POST records one (physicians): append-only, a new review
supersedes the standing one. ``booster-candidates/``: the front desk's list; GET
``booster-candidates/<course id>/options/`` (``?date=``) the next free times; POST
``booster-candidates/<course id>/book/`` books a single booster infusion (one of the times
offered, or the first).
"""

from django.core.exceptions import ValidationError
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clinic.access import HasRole
from clinic.api import RoleRules, StaffSerializer, service_errors, validated
from clinic.filters import IdFilter
from clinic.forms import refusal_text
from clinic.models import User
from protocols.models import Protocol
from scheduling.models import Chair
from scheduling.selectors.scope import courses_for

from .boosters import BOOSTER_READERS, booster_candidates_for
from .course_outcome import course_outcome
from .models import CourseReview, Decision
from .reviews import OUTCOME_READERS, REVIEWERS
from .selectors import course_for
from .services import BOOSTER_BOOKERS, booster_book, booster_options, course_review_record

# --- The outcome's numbers --------------------------------------------------------------------


class PointSerializer(serializers.Serializer):
    label = serializers.CharField(help_text='Where it falls: "Baseline", "After infusion 4"...')
    given_at = serializers.DateTimeField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    by_patient = serializers.BooleanField(help_text="Answered by the patient.")
    infusion = serializers.IntegerField(allow_null=True)


class PainOutcomeSerializer(serializers.Serializer):
    baseline = PointSerializer(allow_null=True, help_text="Pain before infusion 1.")
    latest = PointSerializer(allow_null=True, help_text="Pain after the last infusion given.")
    change_points = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    reduction_percent = serializers.DecimalField(
        max_digits=6, decimal_places=1, allow_null=True, help_text="Positive: less pain."
    )
    status = serializers.ChoiceField(choices=["responder", "not_responding", "unknown"])
    responder = serializers.BooleanField(help_text=">= 30% less pain than at baseline.")
    substantial = serializers.BooleanField(help_text=">= 50% less pain than at baseline.")
    follow_up = PointSerializer(many=True)


class MeasureOutcomeSerializer(serializers.Serializer):
    points = PointSerializer(many=True, help_text="The chart's points, in time order.")
    baseline = PointSerializer(allow_null=True)
    latest = PointSerializer(allow_null=True)
    change_points = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    change_percent = serializers.DecimalField(
        max_digits=6, decimal_places=1, allow_null=True, help_text="Reduction; positive: better."
    )


class FiqrOutcomeSerializer(MeasureOutcomeSerializer):
    meets_mcid = serializers.BooleanField(allow_null=True, help_text="Down 14% or more.")


class SideEffectSerializer(serializers.Serializer):
    effect = serializers.CharField()
    severity = serializers.CharField()


class InfusionOutcomeSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    appointment = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    given = serializers.BooleanField()
    pain_before = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    pain_after = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    side_effects = SideEffectSerializer(many=True)
    alerts = serializers.ListField(child=serializers.CharField())


class CourseOutcomeSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    infusions_given = serializers.IntegerField()
    review_after = serializers.IntegerField(help_text="The infusion after which it is reviewed.")
    pain = PainOutcomeSerializer()
    fiqr = FiqrOutcomeSerializer()
    phq9 = MeasureOutcomeSerializer()
    infusions = InfusionOutcomeSerializer(many=True)


class CourseOutcomeView(generics.GenericAPIView):
    """A course's outcome: pain before and after each infusion, FIQR and PHQ-9 with their
    baseline and change, responder status and the FIQR MCID, side effects and alerts per
    infusion: the numbers the outcome page and its charts show."""

    permission_classes = [HasRole.of(*OUTCOME_READERS)]
    serializer_class = CourseOutcomeSerializer
    filter_backends: list = []
    pagination_class = None

    def get(self, request, pk: int):
        course = course_for(request.user, pk)
        return Response(CourseOutcomeSerializer(course_outcome(course).as_numbers()).data)


# --- Reviews ----------------------------------------------------------------------------------


class CourseReviewSerializer(serializers.ModelSerializer):
    reviewed_by = StaffSerializer(read_only=True)

    class Meta:
        model = CourseReview
        fields = [
            "id", "course", "decision", "reason", "new_protocol", "review_after",
            "infusions_given", "outcome", "supersedes", "reviewed_by", "reviewed_at",
        ]  # fmt: skip
        read_only_fields = fields


class CourseReviewCreateSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField()
    new_protocol = serializers.PrimaryKeyRelatedField(
        queryset=Protocol.objects.all(), required=False, allow_null=True, default=None,
        help_text="change_protocol only: the protocol to change to.",
    )  # fmt: skip


class CourseReviewFilter(FilterSet):
    course = IdFilter(help_text="Only this course's reviews.")


class CourseReviewViewSet(
    RoleRules, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Physicians' reviews of courses at the caller's sites, newest first. Never changed: a
    POST records a new review that supersedes the standing one (physicians)."""

    ordering_fields = ("reviewed_at",)

    serializer_class = CourseReviewSerializer
    queryset = CourseReview.objects.none()
    filterset_class = CourseReviewFilter
    read_roles, write_roles = OUTCOME_READERS, REVIEWERS

    def get_queryset(self):
        return (
            CourseReview.objects.filter(course__in=courses_for(self.request.user))
            .select_related("reviewed_by")
            .order_by("-reviewed_at", "-pk")
        )

    @extend_schema(request=CourseReviewCreateSerializer, responses={201: CourseReviewSerializer})
    def create(self, request, *args, **kwargs):
        fields = validated(CourseReviewCreateSerializer, request)
        course = course_for(request.user, fields.pop("course"))
        with service_errors():
            review = course_review_record(course=course, by=request.user, **fields)
        return Response(CourseReviewSerializer(review).data, status=status.HTTP_201_CREATED)


# --- Booster candidates -----------------------------------------------------------------------


class BoosterCandidateSerializer(serializers.Serializer):
    course = serializers.IntegerField(source="pk", help_text="The finished course.")
    patient = serializers.IntegerField(source="patient_id")
    patient_name = serializers.CharField(source="patient.display_name")
    location = serializers.IntegerField(source="location_id")
    course_ended_at = serializers.DateTimeField(source="last_end")
    follow_up_at = serializers.DateTimeField(help_text="When the waning follow-up was given.")


class BoosterBookedSerializer(serializers.Serializer):
    course = serializers.IntegerField(source="pk", help_text="The booster (a course of one).")
    appointment = serializers.IntegerField()
    starts_at = serializers.DateTimeField()


class BoosterOptionQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Look from this day (default tomorrow).")


class BoosterOptionSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="Arrival time; post it back to ``book``.")
    chair = serializers.IntegerField(source="chair.pk")
    chair_name = serializers.CharField(source="chair.name")
    nurse = serializers.IntegerField(source="nurse.pk")
    nurse_name = serializers.CharField(source="nurse.get_full_name")
    note = serializers.CharField(help_text="Why it differs from the wished time, when it does.")


class BoosterOptionsSerializer(serializers.Serializer):
    options = BoosterOptionSerializer(many=True)
    none_because = serializers.ListField(child=serializers.CharField())


class BoosterBookSerializer(serializers.Serializer):
    """One of the offered times (all three), or an empty body: the planner's first."""

    starts_at = serializers.DateTimeField(required=False)
    chair = serializers.PrimaryKeyRelatedField(queryset=Chair.objects.all(), required=False)
    nurse = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )


class BoosterCandidateViewSet(RoleRules, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Patients whose follow-up pain is back within 20% of their finished course's baseline
    and who have nothing booked since (front desk); ``book`` books one booster infusion."""

    serializer_class = BoosterCandidateSerializer
    queryset = CourseReview.objects.none()
    read_roles, write_roles = BOOSTER_READERS, BOOSTER_BOOKERS
    pagination_class = None

    def get_queryset(self):
        return booster_candidates_for(self.request.user).select_related("patient")

    @extend_schema(parameters=[BoosterOptionQuerySerializer],
                   responses={200: BoosterOptionsSerializer})  # fmt: skip
    @action(detail=True, methods=["get"])
    def options(self, request, pk=None):
        """The next free times for a booster (three, each on its own day), from ``date``;
        none, with the reason, when the patient is not a candidate (now)."""
        course = course_for(request.user, pk)
        query = BoosterOptionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            found, why = booster_options(
                course=course, user=request.user, from_date=query.validated_data.get("date")
            )
        except ValidationError as error:  # not a candidate (now): nothing to offer, and why
            found, why = [], [refusal_text(error)]
        return Response(BoosterOptionsSerializer({"options": found, "none_because": why}).data)

    @extend_schema(request=BoosterBookSerializer, responses={201: BoosterBookedSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        course = course_for(request.user, pk)
        chosen = validated(BoosterBookSerializer, request)
        with service_errors():
            booster = booster_book(course=course, booked_by=request.user, **chosen)
        session = booster.appointments.get()
        body = {"pk": booster.pk, "appointment": session.pk, "starts_at": session.starts_at}
        return Response(BoosterBookedSerializer(body).data, status=status.HTTP_201_CREATED)
