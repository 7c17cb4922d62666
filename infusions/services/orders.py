"""Dose orders: create (replacing any order in force), override a soft limit, sign, cancel.

The dose is calculated here, once, by ``infusions.dosing.calculate_dose`` and stored in full
on the order. A hard limit refuses the order for everyone; a soft limit needs a physician's
recorded reason before the order can be signed. Orders are append-only: every status change
is a new ``DoseOrderEvent`` allowed by ``ALLOWED_TRANSITIONS``.
"""

from dataclasses import asdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from clinic.roles import CLINICAL, PHYSICIANS, Role
from patients.models import WeightMeasurement
from protocols.dosing import DoseInputError, calculate_dose
from protocols.models import ProtocolVersion, plain
from scheduling.models import Appointment
from scheduling.models.courses import ACTIVE_STATUSES

from ..models import DoseOrder, DoseOrderEvent, DoseOrderOverride, OrderStatus, SignedAs
from ..models.orders import ALLOWED_TRANSITIONS
from ..weight_window import weight_window_problem
from .step_up import signer_confirm

ORDER_WRITERS = CLINICAL
SIGNERS = PHYSICIANS


def _transition(order: DoseOrder, to_status: str, by: User, **fields) -> DoseOrderEvent:
    current = ALLOWED_TRANSITIONS.check(order, to_status)
    event = DoseOrderEvent(order=order, from_status=current, to_status=to_status, by=by, **fields)
    event.full_clean()
    event.save()
    order.current_status = to_status
    return event


def _lock(order: DoseOrder) -> DoseOrder:
    return DoseOrder.objects.select_for_update().with_status().get(pk=order.pk)


def _current_version(appointment: Appointment, given: ProtocolVersion | None) -> ProtocolVersion:
    protocol = appointment.course.protocol_in_force if appointment.course_id else None
    current = None
    if given is None:
        if protocol is None:
            raise ValidationError({"protocol_version": "Choose the protocol version to use."})
        # Read once: the version just read as current is the current one (no second read).
        given = current = protocol.current_version
    if protocol is not None and given.protocol_id != protocol.pk:
        raise ValidationError(
            {"protocol_version": f"The course runs under {protocol}; use its protocol."}
        )
    if not given.protocol.is_active:
        raise ValidationError({"protocol_version": f"{given.protocol} has been withdrawn."})
    current = current or given.protocol.current_version
    if current.pk != given.pk:
        raise ValidationError(
            {"protocol_version": f"Version {given.number} is out of date; use v{current.number}."}
        )
    return given


def _limit_errors(calculation) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for hit in calculation.limits:
        if hit.kind == "hard":
            field = "weight" if hit.code == "weight_out_of_range" else "dose_mg"
            errors.setdefault(field, []).append(f"Hard limit: {hit.message}")
    return errors


@transaction.atomic
def dose_order_create(
    *,
    appointment: Appointment,
    weight: WeightMeasurement,
    vial_mg_per_ml: Decimal,
    created_by: User,
    protocol_version: ProtocolVersion | None = None,
    override_reason: str = "",
) -> DoseOrder:
    """Calculate and record the dose for an appointment; it replaces (cancels) any order in
    force. A physician may give ``override_reason`` for a soft limit at once; anyone else
    leaves the override to a physician (the order cannot be signed until then)."""
    require_role(created_by, *ORDER_WRITERS, doing="order a dose")
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("location", "course__protocol")
        .get(pk=appointment.pk)
    )
    if appointment.status not in ACTIVE_STATUSES:
        raise ValidationError({"appointment": "This appointment is cancelled or a no-show."})
    version = _current_version(appointment, protocol_version)
    if problem := weight_window_problem(weight=weight, appointment=appointment, version=version):
        raise ValidationError({"weight": problem})
    try:
        calculation = calculate_dose(
            weight_kg=weight.weight_kg, rules=version.rules(), vial_mg_per_ml=plain(vial_mg_per_ml)
        )
    except DoseInputError as error:
        raise ValidationError(
            {"weight" if k == "weight_kg" else k: m for k, m in error.errors.items()}
        ) from error
    if errors := _limit_errors(calculation):
        raise ValidationError(errors)  # a hard limit: nobody may order this dose
    override_reason = (override_reason or "").strip()
    if override_reason and not calculation.has_soft_limit:
        raise ValidationError(
            {"override_reason": "No soft limit was met; there is nothing to override."}
        )
    if override_reason:
        require_role(created_by, *SIGNERS, doing="override a soft dose limit")
    previous = appointment.dose_orders.active().first()
    values = asdict(calculation)
    values["limits"] = [asdict(hit) for hit in calculation.limits]
    values["notes"] = list(calculation.notes)
    for name in ("has_soft_limit", "infusion_minutes"):
        values.pop(name, None)
    order = DoseOrder(
        appointment=appointment,
        protocol_version=version,
        weight=weight,
        replaces=previous,
        created_by=created_by,
        has_soft_limit=calculation.has_soft_limit,
        infusion_minutes=calculation.infusion_minutes,
        **{k: v for k, v in values.items() if k != "weight_kg"},
        weight_kg=weight.weight_kg,
    )
    order.full_clean()
    if previous is not None:
        _transition(
            _lock(previous), OrderStatus.CANCELLED, created_by,
            reason="Replaced by a new order.",
        )  # fmt: skip
    order.save()
    _transition(order, OrderStatus.UNSIGNED, created_by)
    if override_reason:
        _record_override(order, override_reason, created_by)
    return order


def _record_override(order: DoseOrder, reason: str, physician: User) -> DoseOrderOverride:
    override = DoseOrderOverride(order=order, reason=reason, overridden_by=physician)
    override.full_clean()
    override.save()
    return override


@transaction.atomic
def dose_order_override(*, order: DoseOrder, physician: User, reason: str) -> DoseOrderOverride:
    """A physician's recorded reason to give a dose above the soft maximum."""
    require_role(physician, *SIGNERS, doing="override a soft dose limit")
    order = _lock(order)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this dose is to be given above the soft limit."})
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError("This order was cancelled.")
    if not order.has_soft_limit:
        raise ValidationError("This dose met no soft limit; there is nothing to override.")
    if DoseOrderOverride.objects.filter(order=order).exists():
        raise ValidationError("A physician has already recorded the override for this order.")
    return _record_override(order, reason, physician)


def dose_order_sign(
    *,
    order: DoseOrder,
    signed_by: User,
    request,
    otp_token: str = "",
    password: str = "",
    override_reason: str = "",
) -> DoseOrder:
    """Sign an order. A physician signs; under a protocol version that allows standing
    orders a nurse may activate it instead, and it is recorded as a standing order. A soft
    limit must first have a physician's override (a physician may give it here).

    The signer steps up at this moment (``step_up.signer_confirm``): a fresh code from their
    authenticator (``otp_token``), or their ``password`` if they have none. Every other
    refusal comes first, so a code is not spent on an order that could not be signed; a
    wrong code or password is counted (django-axes) and nothing is signed.
    """
    _sign(order=order, signed_by=signed_by, override_reason=override_reason, write=False)
    how = signer_confirm(user=signed_by, otp_token=otp_token, password=password, request=request)
    return _sign(
        order=order, signed_by=signed_by, override_reason=override_reason, write=True,
        confirmed_with=how,
    )  # fmt: skip


@transaction.atomic
def _sign(
    *, order: DoseOrder, signed_by: User, override_reason: str, write: bool,
    confirmed_with: str = "",
) -> DoseOrder:  # fmt: skip
    require_role(signed_by, Role.PHYSICIAN, Role.NURSE, doing="sign a dose order")
    order = _lock(order)
    is_physician = signed_by.may(Role.PHYSICIAN)
    if not is_physician and not order.protocol_version.standing_order:
        raise PermissionDenied("Only a physician may sign this order (no standing order).")
    ALLOWED_TRANSITIONS.check(order, OrderStatus.SIGNED)
    overridden = DoseOrderOverride.objects.filter(order=order).exists()
    if (override_reason or "").strip() and order.has_soft_limit and not overridden:
        if write:
            dose_order_override(order=order, physician=signed_by, reason=override_reason)
        else:
            require_role(signed_by, *SIGNERS, doing="override a soft dose limit")
        overridden = True
    if order.has_soft_limit and not overridden:
        raise ValidationError(
            {"override_reason": "The dose is above the soft maximum: a physician must record "
             "the reason to give it before the order is signed."}
        )  # fmt: skip
    if write:
        signed_as = SignedAs.PHYSICIAN if is_physician else SignedAs.STANDING_ORDER
        _transition(
            order, OrderStatus.SIGNED, signed_by, signed_as=signed_as,
            confirmed_with=confirmed_with,
        )  # fmt: skip
    return order


@transaction.atomic
def dose_order_cancel(*, order: DoseOrder, cancelled_by: User, reason: str) -> DoseOrder:
    require_role(cancelled_by, *ORDER_WRITERS, doing="cancel a dose order")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the order is cancelled."})
    order = _lock(order)
    _transition(order, OrderStatus.CANCELLED, cancelled_by, reason=reason)
    return order
