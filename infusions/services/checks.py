"""The independent double-check (ISMP): two different nurses each enter the dose they
calculated, blind to the order's number and to each other's, and each entry is compared with
the order's dose exactly. A mismatch is recorded and blocks the order for good: the dose is
reviewed and a new order (with a fresh double-check) replaces it. Retrying on the same order
would let a nurse guess her way to a match.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from clinic.roles import NURSES
from patients.models import WeightMeasurement
from patients.selectors import treatment_blockers
from scheduling.hooks import infusion_gate_reasons

from ..models import DoseCheck, DoseOrder, DoseOrderOverride, OrderStatus
from .draws import draw_problems

CHECKERS = NURSES
CHECKS_NEEDED = 2


def _as_decimal(entered_mg) -> Decimal:
    if isinstance(entered_mg, float):
        raise TypeError("entered_mg must be a Decimal, not a float.")
    try:
        value = Decimal(str(entered_mg)).normalize()
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"entered_mg": "Enter the dose in mg, e.g. 35.0."}) from error
    if not value.is_finite() or value <= 0:
        raise ValidationError({"entered_mg": "Enter the dose in mg: a number above zero."})
    return value


@transaction.atomic
def dose_check_record(*, order: DoseOrder, nurse: User, entered_mg: Decimal) -> DoseCheck:
    """Record one nurse's independently calculated dose for an order.

    Refused (nothing saved): not a nurse, the same nurse twice, a cancelled order, an order
    already verified or blocked by a mismatch, an entry that is not a multiple of the
    protocol's rounding step. A wrong number is saved, as a mismatch, and blocks the order.
    """
    require_role(nurse, *CHECKERS, doing="double-check a dose")
    order = DoseOrder.objects.select_for_update().with_status().get(pk=order.pk)
    value = _as_decimal(entered_mg)
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError("This order was cancelled; check the order that replaced it.")
    checks = list(order.checks.all())
    if any(check.nurse_id == nurse.pk for check in checks):
        raise ValidationError(
            {"nurse": "You have already checked this dose: a second, different nurse must "
             "make the other check."}
        )  # fmt: skip
    if any(not check.matches for check in checks):
        raise ValidationError(
            "A mismatch is already recorded on this order: it is blocked. Review the dose "
            "and write a new order."
        )
    if len(checks) >= CHECKS_NEEDED:
        raise ValidationError("This dose has already been verified by two nurses.")
    step = order.protocol_version.rounding_step_mg
    if value % step != 0:
        raise ValidationError(
            {"entered_mg": f"Round the dose down to the protocol's step of "
             f"{step.normalize()} mg, as the protocol says, and enter that."}
        )  # fmt: skip
    check = DoseCheck(order=order, nurse=nurse, entered_mg=value, matches=value == order.dose_mg)
    check.full_clean()
    check.save()
    return check


def double_check_state(order: DoseOrder) -> str:
    """'none', 'partial' (one match), 'verified' (two nurses matched) or 'mismatch'."""
    checks = list(order.checks.all())
    if any(not check.matches for check in checks):
        return "mismatch"
    nurses = {check.nurse_id for check in checks}
    if len(nurses) >= CHECKS_NEEDED:
        return "verified"
    return "partial" if checks else "none"


def infusion_may_start(order: DoseOrder) -> list[str]:
    """Why the infusion may not start under this order; empty when it may (the patient's
    allergies on record and consent signed: ``treatment_blockers``; what the apps above
    require of the session (``scheduling.hooks.infusion_gates``: the physician's review of
    the course after infusion 4); the order signed, any
    soft limit overridden by a physician, the double-check matched by two nurses, and the
    drug drawn for this order from an in-date lot at the visit's site: ``draw_problems``)."""
    status = order.status
    if status == OrderStatus.CANCELLED:
        return ["This order was cancelled; use the order that replaced it."]
    reasons = treatment_blockers(order.appointment.patient)
    reasons += infusion_gate_reasons(order.appointment)
    correction = WeightMeasurement.objects.filter(corrects_id=order.weight_id).first()
    if correction is not None:
        reasons.append(
            f"The weight this dose was calculated from ({order.weight_kg} kg) has since been "
            f"corrected to {correction.weight_kg} kg ({correction.correction_reason}). "
            "Cancel this order and write a new one from the corrected weight."
        )
    if status != OrderStatus.SIGNED:
        reasons.append(
            "The order is not signed: a physician must sign it (or activate it as a "
            "standing order where the protocol allows)."
        )
    if order.has_soft_limit and not DoseOrderOverride.objects.filter(order=order).exists():
        reasons.append(
            "The dose is above the protocol's soft maximum: a physician must record the "
            "reason to give it."
        )
    state = double_check_state(order)
    if state == "mismatch":
        reasons.append(
            "The double-check did not match: the order is blocked. Review the dose and "
            "write a new order."
        )
    elif state != "verified":
        done = len({check.nurse_id for check in order.checks.all()})
        reasons.append(
            f"Independent double-check: {done} of {CHECKS_NEEDED} nurses have entered a "
            "matching dose."
        )
    return reasons + draw_problems(order)
