"""Where a higher app takes part in a scheduling write it must have a say in.

Scheduling never imports the apps above it; they register here once, from their
``AppConfig.ready()``. Each hook runs inside the scheduling service's transaction, so a
hook that raises (a ``ValidationError``, a ``PermissionDenied``) refuses the whole write.
"""

from collections.abc import Callable

# Called as hook(appointment=..., by=..., reason=...) before a check-in is undone: refuse
# when something is charted for the visit, else do the app's own part of the undo.
check_in_undo: list[Callable] = []


def on_check_in_undo(hook: Callable) -> Callable:
    if hook not in check_in_undo:
        check_in_undo.append(hook)
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


# Called as hook(user) by the front desk's "work waiting" strip (and the clinic admin's, which
# includes it): each returns a list of clinic.worklist.WorkItem counts (billing's benefits
# checks due). Reads only, a count query or two each.
desk_work: list[Callable] = []


def on_desk_work(hook: Callable) -> Callable:
    if hook not in desk_work:
        desk_work.append(hook)
    return hook


# Called as hook(course=..., by=...) at the end of course_book, inside its transaction: billing
# issues a self-pay patient's Good Faith Estimate. A hook that raises refuses the booking, so
# a hook with nothing to do (no prices yet) returns quietly.
course_booked: list[Callable] = []


def on_course_booked(hook: Callable) -> Callable:
    if hook not in course_booked:
        course_booked.append(hook)
    return hook
