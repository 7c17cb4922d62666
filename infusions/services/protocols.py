"""Protocols: create, rename or withdraw, and revise (a revision is a new version).

Only physicians (the medical director) and clinic admins change protocols. A version is
never edited: ``protocol_revise`` copies the current version, applies the changes and saves
it as the next number, so every dose keeps pointing at the numbers it was made under.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from clinic.models import User
from clinic.roles import EDITORS

from ..models import Protocol, ProtocolVersion

PROTOCOL_EDITORS = EDITORS

# The numbers a version holds, in the order the admin and the API show them. A revision
# copies all of them from the current version and changes only those it is given.
VERSION_FIELDS = (
    "mg_per_kg", "infusion_minutes", "rounding_step_mg", "soft_max_mg", "hard_max_mg",
    "min_weight_kg", "max_weight_kg", "weight_max_age_hours", "bag_volume_ml",
    "allowed_vial_mg_per_ml", "vial_needs_dilution", "vitals_interval_minutes",
    "recovery_vitals_interval_minutes", "systolic_high_mmhg", "systolic_low_mmhg",
    "diastolic_high_mmhg", "pulse_high_bpm", "pulse_low_bpm", "spo2_low_percent",
    "rr_alert_at_or_below_per_min", "rr_alert_at_or_above_per_min", "news2_alert_on_single_3",
    "news2_alert_total_at_least", "post_alert_vitals_interval_minutes",
    "alert_escalation_minutes", "min_discharge_score", "discharge_score_type",
    "completion_tolerance_minutes", "min_recovery_minutes", "standing_order",
)  # fmt: skip
PROTOCOL_FIELDS = ("name", "description", "is_active")  # the code never changes


def _require_editor(user: User, doing: str) -> None:
    if not user.may(*PROTOCOL_EDITORS):
        raise PermissionDenied(f"Only a physician or a clinic admin may {doing}.")


def _only(allowed: tuple[str, ...], given: dict, what: str) -> None:
    # A misspelt number would otherwise be silently dropped: a programming error, said loudly.
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise TypeError(f"Not {what}: {', '.join(unknown)}.")


def _note(change_note: str) -> str:
    note = (change_note or "").strip()
    if not note:
        raise ValidationError({"change_note": "Say what changed and why."})
    return note


@transaction.atomic
def protocol_create(
    *,
    name: str,
    code: str,
    created_by: User,
    description: str = "",
    change_note: str = "First version.",
    **numbers,
) -> Protocol:
    """A new protocol with its version 1. Numbers not given take the model defaults (the
    seed protocol's); the soft and hard maximum doses have no default and must be given."""
    _require_editor(created_by, "create a protocol")
    _only(VERSION_FIELDS, numbers, "a protocol number")
    protocol = Protocol(name=name, code=code, description=description, created_by=created_by)
    version = ProtocolVersion(
        number=1, created_by=created_by, change_note=_note(change_note), **numbers
    )
    errors: dict = {}
    for record, exclude in ((protocol, None), (version, ["protocol"])):
        try:
            record.full_clean(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:  # both records' errors at once, so a form can show them all
        raise ValidationError(errors)
    protocol.save()
    version.protocol = protocol
    version.save()
    return protocol


@transaction.atomic
def protocol_update(*, protocol: Protocol, changed_by: User, **fields) -> Protocol:
    """Rename, re-describe, withdraw (``is_active=False``) or reinstate a protocol."""
    _require_editor(changed_by, "change a protocol")
    _only(PROTOCOL_FIELDS, fields, "a protocol field that can change")
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    for name, value in fields.items():
        setattr(protocol, name, value)
    protocol.full_clean()
    protocol.save(update_fields=list(fields) or None)
    return protocol


@transaction.atomic
def protocol_revise(
    *, protocol: Protocol, changed_by: User, change_note: str, **changes
) -> ProtocolVersion:
    """The protocol's next version: the current one's numbers with ``changes`` applied.

    Refuses a revision that changes nothing. Locks the protocol so that two directors
    revising at once get consecutive numbers, not a clash.
    """
    _require_editor(changed_by, "revise a protocol")
    _only(VERSION_FIELDS, changes, "a protocol number")
    note = _note(change_note)
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    current = protocol.versions.order_by("-number").first()
    if current is None:  # only protocol_create makes protocols, always with a version 1
        raise ValidationError("This protocol has no version to revise.")
    values = {name: getattr(current, name) for name in VERSION_FIELDS} | changes
    version = ProtocolVersion(
        protocol=protocol,
        number=current.number + 1,
        created_by=changed_by,
        change_note=note,
        **values,
    )
    version.full_clean()
    if all(getattr(version, name) == getattr(current, name) for name in VERSION_FIELDS):
        raise ValidationError(
            f"Nothing differs from version {current.number}; change at least one number."
        )
    version.save()
    return version
