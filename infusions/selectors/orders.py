"""Reads of dose orders and their double-checks, scoped to the user's sites, joins inside."""

from django.shortcuts import get_object_or_404

from clinic.access import locations_for
from clinic.models import User
from clinic.roles import Role
from scheduling.models import Appointment

from ..models import DoseOrder, ProtocolVersion
from ..models.orders import DoseOrderQuerySet
from ..weight_window import weight_window_problem


def orders_for(user: User) -> DoseOrderQuerySet:
    """Orders for appointments at the user's sites, with their status and screen joins."""
    return (
        DoseOrder.objects.with_status()
        .for_screens()
        .filter(appointment__location__in=locations_for(user))
    )


def unsigned_orders_for(user: User) -> DoseOrderQuerySet:
    """The physician's signing queue: unsigned orders at their sites, oldest first."""
    return orders_for(user).unsigned().order_by("created_at")


def order_for(user: User, pk) -> DoseOrder:
    return get_object_or_404(orders_for(user), pk=pk)


def appointment_for(user: User, pk) -> Appointment:
    appointments = Appointment.objects.filter(location__in=locations_for(user)).select_related(
        "patient", "location", "chair", "nurse", "course__protocol"
    )
    return get_object_or_404(appointments, pk=pk)


def active_order(appointment: Appointment) -> DoseOrder | None:
    """The visit's order in force; its ``appointment`` is the instance given (read by the
    caller with its patient, site and chair), not joined again."""
    return appointment.dose_orders.active().for_screens(with_appointment=False).first()


def may_see_dose(user: User, order: DoseOrder) -> bool:
    """Whether the order's dose (and every nurse's check) may be shown to this user.

    A nurse sees them only once she has entered her own check: the double-check is blind.
    Physicians and clinic admins are never checkers, so they always see them.
    """
    if user.may(Role.PHYSICIAN, Role.CLINIC_ADMIN):
        return True
    return any(check.nurse_id == user.pk for check in order.checks.all())


def usable_weights(appointment: Appointment, version: ProtocolVersion) -> list:
    """The patient's weights that the protocol's window accepts for this appointment."""
    weights = appointment.patient.weights.select_related("corrected_by").order_by(
        "-measured_at", "-pk"
    )[:10]
    return [
        weight
        for weight in weights
        if weight_window_problem(weight=weight, appointment=appointment, version=version) is None
    ]
