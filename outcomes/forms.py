"""The clinic admin's form for a protocol's measure schedule: one row per measure, a box per
timing, and the numbers of "after infusion n" and "n days after the last infusion"."""

from django import forms

from .schedule import MAX_INFUSION, SCHEDULABLE, SHORT_NAMES, Item, Timing

BOXES = [Timing.BASELINE, Timing.BEFORE_EACH, Timing.AFTER_EACH, Timing.END_OF_COURSE]
NUMBERED = {
    Timing.AFTER_INFUSION: "After infusions (numbers, e.g. 4, 8)",
    Timing.FOLLOW_UP_DAYS: "Days after the last infusion (e.g. 30, 90)",
}
BOX_LABELS = {
    Timing.BASELINE: "At baseline",
    Timing.BEFORE_EACH: "Before each infusion",
    Timing.AFTER_EACH: "After each infusion",
    Timing.END_OF_COURSE: "At the end of the course",
}


def field_name(measure: str, timing: str) -> str:
    return f"{measure}__{timing}"


class MeasureScheduleForm(forms.Form):
    """The whole schedule at once; ``items()`` is what the service is given."""

    review_after_infusion = forms.IntegerField(
        label="Physician review after infusion",
        required=False,
        min_value=1,
        max_value=MAX_INFUSION,
        help_text="Later sessions do not start until a physician has reviewed the outcome "
        "(empty: as now).",
    )
    note = forms.CharField(label="What changed and why", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, current: tuple[Item, ...] = (), review_after: int = 4, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_after_infusion"].initial = review_after
        self.rows = []
        for measure in SCHEDULABLE:
            row = {"name": SHORT_NAMES[measure], "boxes": [], "numbers": []}
            for timing in BOXES:
                name = field_name(measure, timing)
                self.fields[name] = forms.BooleanField(
                    label=BOX_LABELS[timing], required=False,
                    initial=Item(measure.value, timing.value) in current,
                )  # fmt: skip
                row["boxes"].append(name)
            for timing, label in NUMBERED.items():
                name = field_name(measure, timing)
                given = sorted(
                    i.param for i in current if (i.measure, i.timing) == (measure, timing)
                )
                self.fields[name] = forms.CharField(
                    label=label, required=False, initial=", ".join(str(n) for n in given)
                )
                row["numbers"].append(name)
            self.rows.append(row)

    def bound_rows(self) -> list[dict]:
        return [
            {"name": row["name"], "boxes": [self[name] for name in row["boxes"]],
             "numbers": [self[name] for name in row["numbers"]]}
            for row in self.rows
        ]  # fmt: skip

    def _numbers(self, name: str) -> list[int]:
        text = self.cleaned_data.get(name, "")
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not all(part.isascii() and part.isdigit() and len(part) < 6 for part in parts):
            self.add_error(name, "Whole numbers separated by commas, e.g. 30, 90.")
            return []
        return [int(part) for part in parts]

    def items(self) -> list[dict]:
        chosen = []
        for measure in SCHEDULABLE:
            for timing in BOXES:
                if self.cleaned_data.get(field_name(measure, timing)):
                    chosen.append({"measure": measure.value, "timing": timing.value})
            for timing in NUMBERED:
                for number in self._numbers(field_name(measure, timing)):
                    chosen.append(
                        {"measure": measure.value, "timing": timing.value, "param": number}
                    )
        return chosen
