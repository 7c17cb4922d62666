"""The waitlist in the API: list, add, withdraw, fill, the candidates for a freed chair, and
the offers of a freed chair by link.
Front desk and clinic admins only, like the pages; every write is a waitlist service."""

from django.shortcuts import get_object_or_404
from django_filters import ChoiceFilter
from django_filters.rest_framework import FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clinic.access import HasRole
from clinic.api import NamedChoiceField, RoleRules, StaffSerializer, service_errors, validated
from clinic.filters import IdFilter, OrderBy
from clinic.roles import DESK
from scheduling.api.common import (
    AwareDateTimeField,
    CallerScopedId,
    PatientRefSerializer,
    SchedulingErrorSerializer,
    chair_id,
    location_id,
    patient_id,
    staff_id,
)
from scheduling.models import Appointment
from scheduling.selectors.scope import appointments_for

from .models import (
    OfferAnswer,
    OfferRecipient,
    OfferStatus,
    OfferStatusChange,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
    WaitlistStatusChange,
    Wish,
)
from .selectors import candidates_for_slot, entries_for, offers_for
from .services import (
    offer_make,
    offer_withdraw,
    waitlist_add,
    waitlist_fill,
    waitlist_withdraw,
)

KEEPERS = DESK


def appointment_id(**kwargs) -> CallerScopedId:
    return CallerScopedId(appointments_for, Appointment, **kwargs)


def wish_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(Wish.choices, enum_name="WaitlistWishEnum", **kwargs)


def status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(WaitlistStatus.choices, enum_name="WaitlistStatusEnum", **kwargs)


class WaitlistStatusChangeSerializer(serializers.ModelSerializer):
    from_status = status_field(read_only=True, allow_blank=True, help_text="'' for the first.")
    to_status = status_field()
    changed_by = StaffSerializer()

    class Meta:
        model = WaitlistStatusChange
        fields = ["from_status", "to_status", "changed_at", "changed_by", "reason"]
        read_only_fields = fields


class WaitlistEntrySerializer(serializers.ModelSerializer):
    patient = PatientRefSerializer(read_only=True)
    wish = wish_field(read_only=True)
    status = status_field(read_only=True)
    created_by = StaffSerializer(read_only=True)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(), help_text="Monday = 0; empty: any day."
    )
    status_changes = WaitlistStatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = WaitlistEntry
        fields = [
            "id", "patient", "location", "wish", "appointment", "earliest_date", "latest_date",
            "weekdays", "earliest_time", "latest_time", "note", "status", "created_at",
            "created_by", "filled_with", "status_changes",
        ]  # fmt: skip
        read_only_fields = fields


class AddSerializer(serializers.Serializer):
    patient = patient_id()
    location = location_id(help_text="The site the patient waits at.")
    wish = wish_field()
    appointment = appointment_id(
        required=False, allow_null=True, help_text="The booked session to move earlier."
    )
    earliest_date = serializers.DateField(required=False, allow_null=True)
    latest_date = serializers.DateField(required=False, allow_null=True)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, default=list,
        help_text="Days the patient can come, Monday = 0; empty: any day.",
    )  # fmt: skip
    earliest_time = serializers.TimeField(required=False, allow_null=True, help_text="Site time.")
    latest_time = serializers.TimeField(required=False, allow_null=True, help_text="Site time.")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the patient leaves the list.")


class FillSerializer(serializers.Serializer):
    starts_at = AwareDateTimeField(
        required=False, help_text="Move earlier: the freed time, with its UTC offset."
    )
    chair = chair_id(required=False, help_text="Move earlier: the freed chair.")
    nurse = staff_id(required=False, help_text="Move earlier: the freed session's nurse.")
    appointment = appointment_id(
        required=False, help_text="Start sooner: the first session of the course just booked."
    )


class WaitlistFilter(FilterSet):
    location = IdFilter()
    patient = IdFilter()
    status = ChoiceFilter(choices=WaitlistStatus.choices)
    wish = ChoiceFilter(choices=Wish.choices)
    ordering = OrderBy("created_at", "earliest_date")


REFUSED = {400: SchedulingErrorSerializer, 403: SchedulingErrorSerializer}


class WaitlistEntryViewSet(
    RoleRules,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Waitlist entries at the caller's sites, oldest first. Entries are added, withdrawn and
    filled here; never edited or deleted."""

    queryset = WaitlistEntry.objects.none()  # for the schema; requests use get_queryset
    serializer_class = WaitlistEntrySerializer
    filterset_class = WaitlistFilter
    read_roles, write_roles = KEEPERS, KEEPERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WaitlistEntry.objects.none()
        return entries_for(self.request.user).prefetch_related("status_changes__changed_by")

    def answer(self, entry: WaitlistEntry, status: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=entry.pk)
        return Response(WaitlistEntrySerializer(fresh).data, status=status)

    @extend_schema(request=AddSerializer, responses={201: WaitlistEntrySerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        """Put a patient on a site's waitlist; 400 names the field (a patient who cannot be
        booked, a session not theirs, already waiting)."""
        fields = validated(AddSerializer, request)
        with service_errors():
            entry = waitlist_add(by=request.user, **fields)
        return self.answer(entry, status=201)

    @extend_schema(request=WithdrawSerializer, responses={200: WaitlistEntrySerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """Take the patient off the waitlist with a reason; 409 if already filled or withdrawn."""
        entry = self.get_object()
        fields = validated(WithdrawSerializer, request)
        with service_errors():
            entry = waitlist_withdraw(entry=entry, by=request.user, **fields)
        return self.answer(entry)

    @extend_schema(
        request=FillSerializer,
        responses={200: WaitlistEntrySerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def fill(self, request, *args, **kwargs):
        """Fill the entry: move the session earlier to ``starts_at`` (with ``chair`` and
        ``nurse``; every booking rule is checked again), or, for a new patient, name the first
        session of the course booked for them. 409 when the entry was filled or withdrawn
        meanwhile, or the time was taken."""
        entry = self.get_object()
        fields = validated(FillSerializer, request)
        with service_errors():
            entry = waitlist_fill(entry=entry, by=request.user, **fields)
        return self.answer(entry)


class CandidatesView(generics.GenericAPIView):
    """Active waitlist entries that could take this cancelled or missed session's time, chair
    and nurse, first come first served (window, weekdays and times on the site's clock; the
    course's gap rule for a session moved earlier). Empty for a session that frees nothing
    (still booked, or in the past)."""

    permission_classes = [HasRole.of(*KEEPERS)]
    serializer_class = WaitlistEntrySerializer
    queryset = WaitlistEntry.objects.none()  # for the schema
    filter_backends = []
    pagination_class = None  # every candidate, in order: the schema says a plain list

    @extend_schema(responses={200: WaitlistEntrySerializer(many=True), **REFUSED})
    def get(self, request, pk):
        freed = get_object_or_404(appointments_for(request.user), pk=pk)
        found = candidates_for_slot(freed)
        entries = entries_for(request.user).prefetch_related("status_changes__changed_by")
        fresh = {e.pk: e for e in entries.filter(pk__in=[e.pk for e in found])}
        return Response(WaitlistEntrySerializer([fresh[e.pk] for e in found], many=True).data)


# --- Offers ---


class OfferRecipientSerializer(serializers.ModelSerializer):
    patient = PatientRefSerializer(read_only=True)
    answer = NamedChoiceField(OfferAnswer.choices, enum_name="WaitlistOfferAnswerEnum")

    class Meta:
        model = OfferRecipient
        fields = ["id", "entry", "patient", "language", "answer", "answered_at"]
        read_only_fields = fields


class OfferStatusChangeSerializer(serializers.ModelSerializer):
    to_status = NamedChoiceField(OfferStatus.choices, enum_name="WaitlistOfferStatusEnum")
    changed_by = StaffSerializer(allow_null=True)

    class Meta:
        model = OfferStatusChange
        fields = ["from_status", "to_status", "recipient", "changed_at", "changed_by", "reason"]
        read_only_fields = fields


class WaitlistOfferSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(OfferStatus.choices, enum_name="WaitlistOfferStatusEnum")
    state = serializers.SerializerMethodField(
        help_text="The status; an open offer past its time reads expired."
    )
    made_by = StaffSerializer(read_only=True)
    recipients = OfferRecipientSerializer(many=True, read_only=True)
    status_changes = OfferStatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = WaitlistOffer
        fields = [
            "id", "freed", "location", "status", "state", "automatic", "made_by", "created_at",
            "expires_at", "recipients", "status_changes",
        ]  # fmt: skip
        read_only_fields = fields

    def get_state(self, offer) -> str:
        return offer.state()


class OfferMakeSerializer(serializers.Serializer):
    freed = appointment_id(help_text="The cancelled or missed session whose chair is offered.")
    entries = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=None,
        help_text="Waitlist entry ids to offer it to; left out: the first who fit "
        "(WAITLIST_OFFER_COUNT).",
    )  # fmt: skip


class OfferWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the offer is withdrawn.")


class OfferFilter(FilterSet):
    location = IdFilter()
    freed = IdFilter()
    status = ChoiceFilter(choices=OfferStatus.choices)
    ordering = OrderBy("created_at")


class WaitlistOfferViewSet(
    RoleRules,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Offers of freed chairs by SMS/email link at the caller's sites, newest first: made
    here or automatically on a cancel, withdrawn here; the patients answer through their
    links. Never edited or deleted."""

    queryset = WaitlistOffer.objects.none()  # for the schema; requests use get_queryset
    serializer_class = WaitlistOfferSerializer
    filterset_class = OfferFilter
    read_roles, write_roles = KEEPERS, KEEPERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WaitlistOffer.objects.none()
        return offers_for(self.request.user)

    def answer(self, offer: WaitlistOffer, status: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=offer.pk)
        return Response(WaitlistOfferSerializer(fresh).data, status=status)

    @extend_schema(request=OfferMakeSerializer, responses={201: WaitlistOfferSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        """Offer a freed chair to the named entries (or the first who fit); an open offer of
        the same chair gains them. 400 names the field: a chair not free, an entry a booking
        rule refuses or already offered."""
        fields = validated(OfferMakeSerializer, request)
        ids = fields.pop("entries")
        entries = None
        if ids is not None:
            found = {e.pk: e for e in entries_for(request.user).filter(pk__in=ids)}
            if missing := [i for i in ids if i not in found]:
                raise ValidationError(
                    {"entries": [f"No waitlist entry {i} at your sites." for i in missing]}
                )
            entries = [found[i] for i in ids]
        with service_errors():
            offer = offer_make(by=request.user, entries=entries, **fields)
        return self.answer(offer, status=201)

    @extend_schema(
        request=OfferWithdrawSerializer,
        responses={200: WaitlistOfferSerializer, **REFUSED, 409: SchedulingErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """Withdraw an open offer with a reason (the links stop working; those who have not
        answered are told); 409 when it was accepted, withdrawn or gone meanwhile."""
        offer = self.get_object()
        fields = validated(OfferWithdrawSerializer, request)
        with service_errors():
            offer = offer_withdraw(offer=offer, by=request.user, **fields)
        return self.answer(offer)
