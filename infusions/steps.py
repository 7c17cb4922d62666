"""The chair screen's steps: each is one small POST view of the same name in
``views.chair`` at ``records/<pk>/<step-with-dashes>/`` (URL name ``infusions:chair_<step>``).
The URL conf and the access-log registry (``audit.reads``) both read this list."""

CHAIR_STEPS = (
    "vitals", "start", "pause", "resume", "stop", "side_effect", "complete", "stopped_dose",
    "recovery", "discharge_override", "acknowledge", "correct", "discharge", "escort_arrived",
    "correct_acknowledgement", "correct_discharge", "undo_check_in", "not_given",
)  # fmt: skip
