"""The built-in measure schedule (DOMAIN.md, "Patient-reported outcomes"): a protocol with
no schedule version of its own uses it, so no data migration is needed to start."""

from patients.models import MeasureKind

from .schedule import Item, Timing, ordered

PAIN, FIQR, PHQ9 = MeasureKind.PAIN_NRS.value, MeasureKind.FIQR.value, MeasureKind.PHQ9.value
MID_COURSE_INFUSION = 4
FOLLOW_UP_DAYS = (30, 90)  # one and three months after the last infusion
# The physician reviews the course after the mid-course measures (issue 12).
DEFAULT_REVIEW_AFTER = MID_COURSE_INFUSION

DEFAULT_SCHEDULE: tuple[Item, ...] = ordered(
    [
        Item(PAIN, Timing.BEFORE_EACH.value),
        Item(PAIN, Timing.AFTER_EACH.value),
        *[
            Item(measure, timing, param)
            for measure in (FIQR, PHQ9)
            for timing, param in (
                (Timing.BASELINE.value, None),
                (Timing.AFTER_INFUSION.value, MID_COURSE_INFUSION),
                (Timing.END_OF_COURSE.value, None),
            )
        ],
        *[
            Item(measure, Timing.FOLLOW_UP_DAYS.value, days)
            for measure in (PAIN, FIQR, PHQ9)
            for days in FOLLOW_UP_DAYS
        ],
    ]
)
