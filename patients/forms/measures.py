"""Outcome-measure questionnaires: big radio rows, one column, usable on a tablet."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import scoring
from ..models import MeasureKind

CONTEXT_CHOICES = [
    ("baseline", "Baseline"),
    ("pre_infusion", "Before an infusion"),
    ("post_infusion", "After an infusion"),
    ("follow_up", "Follow-up"),
]

# Short forms of the published FIQR items (Bennett 2009), in questionnaire order. Marked for
# translation: the patient's own page (outcomes) asks the same items in Spanish.
FIQR_ITEMS = (
    _("Brush or comb your hair"), _("Walk continuously for 20 minutes"),
    _("Prepare a homemade meal"), _("Vacuum, scrub or sweep floors"),
    _("Lift and carry a bag full of groceries"), _("Climb one flight of stairs"),
    _("Change bed sheets"), _("Sit in a chair for 45 minutes"), _("Go shopping for groceries"),
    _("Fibromyalgia prevented me from accomplishing goals for the week"),
    _("I was completely overwhelmed by my fibromyalgia symptoms"),
    _("Level of pain"), _("Level of energy"), _("Level of stiffness"), _("Quality of sleep"),
    _("Level of depression"), _("Level of memory problems"), _("Level of anxiety"),
    _("Level of tenderness to touch"), _("Level of balance problems"),
    _("Sensitivity to loud noises, bright lights, odours and cold"),
)  # fmt: skip
FIQR_SECTIONS = {
    scoring.FIQR_FUNCTION: _("Function: how hard was it, over the past 7 days, to…"),
    scoring.FIQR_OVERALL_IMPACT: _("Overall impact over the past 7 days"),
    scoring.FIQR_SYMPTOMS: _("Symptoms over the past 7 days"),
}
PHQ9_ITEMS = (
    _("Little interest or pleasure in doing things"),
    _("Feeling down, depressed, or hopeless"),
    _("Trouble falling or staying asleep, or sleeping too much"),
    _("Feeling tired or having little energy"),
    _("Poor appetite or overeating"),
    _(
        "Feeling bad about yourself, or that you are a failure or have let yourself or your "
        "family down"
    ),
    _("Trouble concentrating on things, such as reading the newspaper or watching television"),
    _(
        "Moving or speaking so slowly that other people could have noticed; or the opposite, "
        "being so fidgety or restless that you have been moving around a lot more than usual"
    ),
    _("Thoughts that you would be better off dead, or of hurting yourself in some way"),
)
PHQ9_ANSWERS = [
    (0, _("Not at all")), (1, _("Several days")), (2, _("More than half the days")),
    (3, _("Nearly every day")),
]  # fmt: skip
AREA_LABELS = {area: area.replace("_", " ").capitalize() for area in scoring.PAIN_AREAS}
REGION_LABELS = {
    scoring.LEFT_UPPER_REGION: "Left upper region",
    scoring.RIGHT_UPPER_REGION: "Right upper region",
    scoring.LEFT_LOWER_REGION: "Left lower region",
    scoring.RIGHT_LOWER_REGION: "Right lower region",
    scoring.AXIAL_REGION: "Axial region",
}
SEVERITY = [
    (0, "0: no problem"), (1, "1: slight or mild, intermittent"),
    (2, "2: moderate, often present"), (3, "3: severe, continuous, life-disturbing"),
]  # fmt: skip


def _scale(label: str, high: int, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(high + 1)],
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        label=label,
    )


class MeasureForm(forms.Form):
    kind: str = ""
    title: str = ""
    context = forms.ChoiceField(choices=CONTEXT_CHOICES, label="When")
    completed_by_patient = forms.BooleanField(
        required=False, label="The patient filled this in themselves"
    )

    def answers(self) -> dict:
        raise NotImplementedError


class PainForm(MeasureForm):
    kind, title = MeasureKind.PAIN_NRS, "Pain score"
    score = _scale("Pain right now: 0 = no pain, 10 = worst pain imaginable", 10)

    def answers(self) -> dict:
        return {"score": self.cleaned_data["score"]}


class FiqrForm(MeasureForm):
    kind, title = MeasureKind.FIQR, "FIQR"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, text in enumerate(FIQR_ITEMS, start=1):
            # One unanswered item per domain can be prorated; scoring reports the rest.
            self.fields[f"item_{number}"] = _scale(f"{number}. {text}", 10, required=False)

    def sections(self):
        return [
            (FIQR_SECTIONS[domain], [self[f"item_{n}"] for n in range(first, last + 1)])
            for domain, first, last, _ in scoring.FIQR_DOMAINS
        ]

    def answers(self) -> dict:
        count = scoring.FIQR_ITEM_COUNT
        return {f"item_{n}": self.cleaned_data[f"item_{n}"] for n in range(1, count + 1)}


class Phq9Form(MeasureForm):
    kind, title = MeasureKind.PHQ9, "PHQ-9"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, text in enumerate(PHQ9_ITEMS, start=1):
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                choices=PHQ9_ANSWERS, coerce=int, widget=forms.RadioSelect,
                label=f"{number}. {text}",
            )  # fmt: skip

    def items(self):
        return [self[f"item_{n}"] for n in range(1, scoring.PHQ9_ITEM_COUNT + 1)]

    def answers(self) -> dict:
        count = scoring.PHQ9_ITEM_COUNT
        return {f"item_{n}": self.cleaned_data[f"item_{n}"] for n in range(1, count + 1)}


class AcrForm(MeasureForm):
    kind, title = MeasureKind.ACR_2016, "2016 ACR fibromyalgia criteria"
    symptom_duration_months = forms.IntegerField(
        min_value=0, label="Symptoms present at a similar level for (months)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in scoring.PAIN_AREAS:
            self.fields[area] = forms.BooleanField(required=False, label=AREA_LABELS[area])
        for name in scoring.SSS_SEVERITY_FIELDS:
            label = name.replace("_", " ").capitalize() + " (past week)"
            self.fields[name] = forms.TypedChoiceField(choices=SEVERITY, coerce=int, label=label)
        for name in scoring.SSS_YES_NO_FIELDS:
            label = name.replace("_", " ").capitalize() + " in the past 6 months"
            self.fields[name] = forms.BooleanField(required=False, label=label)

    def regions(self):
        return [
            (REGION_LABELS[region], [self[area] for area in areas])
            for region, areas in scoring.PAIN_REGIONS.items()
        ]

    def severities(self):
        return [self[name] for name in scoring.SSS_SEVERITY_FIELDS]

    def yes_no(self):
        return [self[name] for name in scoring.SSS_YES_NO_FIELDS]

    def answers(self) -> dict:
        data = self.cleaned_data
        names = (*scoring.SSS_SEVERITY_FIELDS, *scoring.SSS_YES_NO_FIELDS)
        return {
            "painful_areas": [area for area in scoring.PAIN_AREAS if data[area]],
            **{name: data[name] for name in names},
            "symptom_duration_months": data["symptom_duration_months"],
        }


MEASURE_FORMS = {
    "pain": PainForm,
    "fiqr": FiqrForm,
    "acr": AcrForm,
    "phq9": Phq9Form,
}
MEASURE_SLUGS = {form.kind: slug for slug, form in MEASURE_FORMS.items()}

REASON_HELP = "What was wrong with the entry (e.g. the patient's answer was misread)."


def reason_field(what: str = "entry") -> forms.CharField:
    return forms.CharField(
        label="Reason for the correction",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": f"Say what was wrong with the {what}."},
        help_text=REASON_HELP if what == "entry" else "",
    )


def correction_form_class(kind: str) -> type[MeasureForm]:
    """The questionnaire's form for a correction: the answers again (prefilled with the
    recorded ones) and a reason; the context stays the original's."""
    base = MEASURE_FORMS[MEASURE_SLUGS[kind]]

    class CorrectionForm(base):
        reason = reason_field()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            del self.fields["context"]
            del self.fields["completed_by_patient"]

    return CorrectionForm


def initial_from_answers(kind: str, answers: dict) -> dict:
    """The form's initial values for recorded answers (ACR's painful areas are ticks)."""
    if kind == MeasureKind.ACR_2016:
        initial = {key: value for key, value in answers.items() if key != "painful_areas"}
        initial.update({area: True for area in answers.get("painful_areas", [])})
        return initial
    return dict(answers)
