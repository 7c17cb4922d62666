"""The end of the infusion: completion (the mg administered on the chart, and the drug log
accounted in the same transaction when the wasted amount is given; otherwise the dose panel's
drug-log form does it, and refuses to account twice), the mg given before an early stop, and
the move to recovery."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.access import require_role
from clinic.models import User
from scheduling import hooks

from ..models import InfusionRecord
from ..selectors.timing import completion_blocker
from .druglog import drug_account_confirm, drug_account_write
from .transitions import CHARTERS, S, _lock, _transition, happened_at


def infusion_complete(
    *, record: InfusionRecord, by: User, administered_mg, wasted_mg=None,
    witness: User | None = None, witness_password: str = "", witness_otp_token: str = "",
    request=None, at=None, late_reason: str = "",
) -> InfusionRecord:  # fmt: skip
    """The whole bag given: end time now (or when it ended, for an entry charted late:
    ``transitions.happened_at``), the mg administered on the chart (and the drug log
    accounted too when ``wasted_mg`` is given: then the witness confirms with their
    password, and code if they have one, before anything is written)."""
    require_role(by, *CHARTERS, doing="complete infusions")
    happened_at(record, at, late_reason)  # a wrong time is named before the run time it gives
    too_early = completion_blocker(record, at) if record.status == S.RUNNING else ""
    if too_early:  # before the witness types a password for nothing
        raise ValidationError({"status": too_early})
    account = None
    if wasted_mg not in (None, ""):
        account = {"order": record.order, "administered_mg": administered_mg,
                   "wasted_mg": wasted_mg, "witness": witness, "by": by}  # fmt: skip
        if record.order is None:
            raise ValidationError({"wasted_mg": "This infusion has no dose order to account."})
        drug_account_confirm(
            {**account, "occurred_at": None}, witness_password=witness_password,
            witness_otp_token=witness_otp_token, request=request,
        )  # fmt: skip
    return _complete(
        record=record, by=by, administered_mg=administered_mg, account=account, at=at,
        late_reason=late_reason,
    )  # fmt: skip


@transaction.atomic
def _complete(
    *, record: InfusionRecord, by: User, administered_mg, account, at, late_reason
) -> InfusionRecord:
    record = _lock(record)
    try:
        given = Decimal(str(administered_mg))
    except InvalidOperation:
        raise ValidationError({"administered_mg": "Enter the mg given."}) from None
    if given < 0 or (record.order and given > record.order.dose_mg):
        raise ValidationError(
            {"administered_mg": "The mg given must be between 0 and the ordered dose."}
        )
    at, late_reason = happened_at(record, at, late_reason)
    if record.status == S.RUNNING:
        too_early = completion_blocker(record, at)
        if too_early:
            raise ValidationError({"status": too_early})
    status = _transition(record, S.COMPLETED, by, at, late_reason=late_reason)
    record.ended_at, record.administered_mg = status.at, given
    record.save(update_fields=["ended_at", "administered_mg"])
    if account is not None:
        drug_account_write({**account, "administered_mg": given, "occurred_at": status.at})
    for hook in hooks.infusion_completed:  # billing's charge of the visit
        hook(record=record, by=by)
    return record


@transaction.atomic
def infusion_recovery(
    *, record: InfusionRecord, by: User, at=None, late_reason: str = ""
) -> InfusionRecord:
    require_role(by, *CHARTERS, doing="chart recovery")
    record = _lock(record)
    if record.status == S.STOPPED and record.administered_mg is None:
        raise ValidationError({"administered_mg": "Record the mg given before recovery."})
    at, late_reason = happened_at(record, at, late_reason)
    _transition(record, S.RECOVERY, by, at, late_reason=late_reason)
    return record


@transaction.atomic
def infusion_record_stopped_dose(*, record: InfusionRecord, by: User, administered_mg):
    """After an early stop: the mg that went in before the stop."""
    require_role(by, *CHARTERS, doing="chart infusions")
    record = _lock(record)
    if record.status != S.STOPPED or record.administered_mg is not None:
        raise ValidationError("Only a stopped infusion without a recorded dose takes one.")
    record.administered_mg = Decimal(str(administered_mg))
    record.full_clean()
    record.save(update_fields=["administered_mg"])
    for hook in hooks.infusion_stopped:  # billing's charge of a visit that ran
        hook(record=record, by=by)
    return record
