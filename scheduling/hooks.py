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
