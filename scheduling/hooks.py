"""Where a higher app takes part in a scheduling write it must have a say in.

Scheduling never imports the apps above it; they register here once, from their
``AppConfig.ready()``. Each hook runs inside the scheduling service's transaction, so a
hook that raises (a ``ValidationError``, a ``PermissionDenied``) refuses the whole write.
"""

from collections.abc import Callable
from dataclasses import dataclass

# Called as hook(appointment=..., by=..., reason=...) before a check-in is undone: refuse
# when something is charted for the visit, else do the app's own part of the undo.
check_in_undo: list[Callable] = []


def on_check_in_undo(hook: Callable) -> Callable:
    if hook not in check_in_undo:
        check_in_undo.append(hook)
    return hook


# Called as hook(appointment=..., by=..., reason=...) before a checked-in visit is cancelled
# (the patient sent home or gone before the infusion started), inside the cancellation's
# transaction: the chart's part (infusions closes the chart as not given with the reason, and
# refuses while drug drawn for the visit is not accounted for).
checked_in_cancel: list[Callable] = []


def on_checked_in_cancel(hook: Callable) -> Callable:
    if hook not in checked_in_cancel:
        checked_in_cancel.append(hook)
    return hook


# Called as hook(appointment) by the make-up page of a session: each returns the (label, url)
# offers shown beside the make-up, e.g. the waitlist's "fill this chair" when the session is
# cancelled ahead of its time. Reads only; a hook with nothing to offer returns [].
freed_slot_offers: list[Callable] = []


def on_freed_slot(hook: Callable) -> Callable:
    if hook not in freed_slot_offers:
        freed_slot_offers.append(hook)
    return hook


def offers_for_freed_slot(appointment) -> list[tuple[str, str]]:
    return [offer for hook in freed_slot_offers for offer in hook(appointment)]


# Called as hook(appointment) by the nurse's check-in page (infusions): each returns notices
# to show above the form, ``{"text": ..., "links": [(label, url), ...]}`` and optionally
# ``"level": "danger"`` (a notice that stops the visit, e.g. outcomes' physician review still
# to record; the default is a warning), e.g. the outcome measures not answered from home.
# Reads only; a hook with nothing to say returns [].
check_in_notices: list[Callable] = []


def on_check_in_notice(hook: Callable) -> Callable:
    if hook not in check_in_notices:
        check_in_notices.append(hook)
    return hook


def notices_for_check_in(appointment) -> list[dict]:
    return [notice for hook in check_in_notices for notice in hook(appointment)]


# Messages a higher app sends through the reminder outbox, by ``OutboundMessage.kind``: the
# app words them (``render(message) -> (subject, body)``, the SMS body free of health words,
# its own link in it) and says at sending time whether they are still wanted
# (``still_wanted(message) -> ""`` or the reason to skip). Everything else is the outbox's:
# the patient's consent per channel, STOP, quiet hours, retries, the delivery dashboard.
@dataclass(frozen=True)
class OutboxKind:
    render: Callable
    still_wanted: Callable


outbox_kinds: dict[str, OutboxKind] = {}


def register_outbox_kind(kind: str, *, render: Callable, still_wanted: Callable) -> None:
    outbox_kinds[kind] = OutboxKind(render, still_wanted)


# Called as hook(appointment) by the infusion start check (``infusions.services.
# infusion_may_start``) and the chair screen: each returns why this session's infusion may
# not start yet, in words for the nurse (e.g. outcomes' "the physician has not reviewed the
# course after infusion 4"), or [] when it may. Reads only.
infusion_gates: list[Callable] = []


def on_infusion_gate(hook: Callable) -> Callable:
    if hook not in infusion_gates:
        infusion_gates.append(hook)
    return hook


def infusion_gate_reasons(appointment) -> list[str]:
    return [reason for hook in infusion_gates for reason in hook(appointment)]


# Called as hook(user) by the front desk's "work waiting" strip (and the clinic admin's, which
# includes it): each returns a list of clinic.worklist.WorkItem counts (billing's benefits
# checks due). Reads only, a count query or two each.
desk_work: list[Callable] = []


def on_desk_work(hook: Callable) -> Callable:
    if hook not in desk_work:
        desk_work.append(hook)
    return hook


# Called as hook(user) by the physician's "work waiting" strip (infusions' homes and the
# work-waiting API): each returns a list of clinic.worklist.WorkItem counts (outcomes' course
# reviews due). Reads only, a few queries each, however many rows.
physician_work: list[Callable] = []


def on_physician_work(hook: Callable) -> Callable:
    if hook not in physician_work:
        physician_work.append(hook)
    return hook


# Called as hook(course=..., by=...) at the end of course_book, inside its transaction: billing
# issues a self-pay patient's Good Faith Estimate. A hook that raises refuses the booking, so
# a hook with nothing to do (no prices yet) returns quietly.
course_booked: list[Callable] = []


def on_course_booked(hook: Callable) -> Callable:
    if hook not in course_booked:
        course_booked.append(hook)
    return hook


# Called as listener(appointment, change) by ``scheduling.notify`` inside the booking,
# rescheduling or cancelling transaction (integrations' webhooks); ``change`` is one of
# booked, rescheduled, cancelled, no_show, status.
appointment_changes: list[Callable] = []


def on_appointment_changed(listener: Callable, *, once_per_course: bool = False) -> Callable:
    """``once_per_course``: when one service changes several sessions of a course at once
    (``course_cancel_remaining``), the listener hears that course once, at the end of the
    change and still inside its transaction, with the last session changed (billing's
    estimate: one updated estimate for the whole change, not one per session)."""
    if listener not in appointment_changes:
        appointment_changes.append(listener)
    if once_per_course:
        once_per_course_listeners.add(listener)
    return listener


once_per_course_listeners: set[Callable] = set()


# Called as factory() -> a context manager, entered around one service call that changes
# several sessions at once (``scheduling.notify.course_changes_together``: a course booked,
# the rest of a course cancelled): an app above reads its own set-up once inside it, not once
# per session (integrations' webhook subscriptions).
changes_together: list[Callable] = []


def on_changes_together(factory: Callable) -> Callable:
    if factory not in changes_together:
        changes_together.append(factory)
    return factory


# Called as hook(record=..., by=...) by infusions when an infusion is completed (the whole
# bag given), inside the completion's transaction: billing charges the visit or uses a
# prepaid package infusion, once per visit. A hook that raises refuses the completion, so a
# hook with nothing to do (no prices that day) returns quietly.
infusion_completed: list[Callable] = []


def on_infusion_completed(hook: Callable) -> Callable:
    if hook not in infusion_completed:
        infusion_completed.append(hook)
    return hook


# After an infusion stopped early (a nurse's stop, an alert's stop, an adverse event) has the
# mg given before the stop recorded (infusions.services.infusion_record_stopped_dose), inside
# that transaction: billing charges the visit when the infusion ran long enough to be coded
# (more than 15 minutes), else puts it on the desk's charges to review. Same contract as
# ``infusion_completed``: a hook with nothing to do returns quietly.
infusion_stopped: list[Callable] = []


def on_infusion_stopped(hook: Callable) -> Callable:
    if hook not in infusion_stopped:
        infusion_stopped.append(hook)
    return hook
