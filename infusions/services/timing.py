"""The time rules of the chair: "Complete" only after the planned run time (pauses
excluded, less the version's tolerance), discharge only after the version's minimum recovery
and a recovery reading taken after it (unless a physician overrides with a reason), and a
physician's review of every early stop. The arithmetic is in ``infusions.timing``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.access import require_role
from clinic.models import User
from clinic.roles import Role

from ..models import DischargeOverride, EarlyStopReview, InfusionRecord
from ..selectors.timing import TO_REVIEW
from .transitions import S, _lock


@transaction.atomic
def discharge_override_record(*, record: InfusionRecord, by: User, reason: str):
    """A physician, by name, allows discharge before the minimum recovery time."""
    if not (by.is_active and by.has_role(Role.PHYSICIAN)):
        raise PermissionDenied("Only a physician may override the minimum recovery time.")
    record = _lock(record)
    if record.status not in (S.STOPPED, S.COMPLETED, S.RECOVERY):
        raise ValidationError({"status": "Override recovery only after the infusion ended."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the patient may leave early."})
    override = DischargeOverride(record=record, reason=reason.strip(), at=timezone.now(), by=by)
    override.full_clean()
    override.save()
    return override


@transaction.atomic
def early_stop_review(*, record: InfusionRecord, by: User, note: str = "") -> EarlyStopReview:
    """A physician marks an early stop, or a visit charted not given, as seen (it leaves the
    physician's home page)."""
    require_role(by, Role.PHYSICIAN, doing="review early stops")
    record = _lock(record)
    if not record.statuses.filter(to_status__in=TO_REVIEW).exists():
        raise ValidationError({"record": "This infusion was neither stopped early nor not given."})
    review = EarlyStopReview(record=record, note=note.strip(), at=timezone.now(), by=by)
    review.full_clean()
    review.save()
    return review
