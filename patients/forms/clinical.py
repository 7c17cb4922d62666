"""Nurse and physician forms: clinical intake, screening, clearance, weight, follow-ups."""

from django import forms

from ..models import (
    Answer,
    Clearance,
    ClinicalIntake,
    Comorbidity,
    Patient,
    PriorTreatment,
    Screening,
    WeightMeasurement,
)
from .registration import DATE_INPUT

NOT_TRIED = ""


class IntakeForm(forms.ModelForm):
    """The clinical intake, plus one row per kind of prior treatment ("not tried" skipped)."""

    comorbidities = forms.MultipleChoiceField(
        choices=Comorbidity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Tick all that apply",
    )

    class Meta:
        model = ClinicalIntake
        fields = [
            "diagnosis_code", "diagnosis_description", "diagnosed_on", "diagnosed_by",
            "symptom_duration_months", "comorbidities", "comorbidity_other",
            "current_medications", "no_known_drug_allergies", "allergies",
        ]  # fmt: skip
        labels = {"symptom_duration_months": "Symptoms for (months)"}
        widgets = {
            "diagnosed_on": DATE_INPUT,
            "current_medications": forms.Textarea(attrs={"rows": 3}),
            "allergies": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        results = [(NOT_TRIED, "Not tried"), *PriorTreatment.Result.choices]
        for kind in PriorTreatment.Kind:
            self.fields[f"treatment_{kind}_result"] = forms.ChoiceField(
                choices=results, required=False, label=f"{kind.label}: result"
            )
            self.fields[f"treatment_{kind}_detail"] = forms.CharField(
                max_length=200,
                required=False,
                label=f"{kind.label}: detail",
                widget=forms.TextInput(attrs={"placeholder": "Drug, dose, how long"}),
            )

    def _post_clean(self):
        # The service validates the model (it owns the write); a ModelForm would validate
        # the instance a second time with a placeholder patient.
        pass

    def treatment_rows(self):
        return [
            (kind.label, self[f"treatment_{kind}_result"], self[f"treatment_{kind}_detail"])
            for kind in PriorTreatment.Kind
        ]

    def intake_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def treatments(self) -> list[dict]:
        return [
            {
                "kind": kind.value,
                "result": self.cleaned_data[f"treatment_{kind}_result"],
                "detail": self.cleaned_data[f"treatment_{kind}_detail"],
            }
            for kind in PriorTreatment.Kind
            if self.cleaned_data.get(f"treatment_{kind}_result") != NOT_TRIED
        ]

    def clean(self):
        cleaned = super().clean()
        for kind in PriorTreatment.Kind:
            detail = cleaned.get(f"treatment_{kind}_detail")
            if detail and cleaned.get(f"treatment_{kind}_result") == NOT_TRIED:
                self.add_error(f"treatment_{kind}_result", "Choose a result, or clear the detail.")
        return cleaned


class ScreeningForm(forms.Form):
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        answers = [(a.value, a.label) for a in (Answer.NO, Answer.YES, Answer.UNKNOWN)]
        for question, label in Screening.QUESTIONS.items():
            choices = list(answers)
            if question == "pregnancy" and patient.sex == Patient.Sex.MALE:
                choices.append((Answer.NOT_APPLICABLE.value, Answer.NOT_APPLICABLE.label))
            self.fields[question] = forms.ChoiceField(
                choices=choices, widget=forms.RadioSelect, label=label
            )
        self.order_fields([*Screening.QUESTIONS, "notes"])

    def questions(self):
        return [self[question] for question in Screening.QUESTIONS]

    def answers(self) -> dict[str, str]:
        return {question: self.cleaned_data[question] for question in Screening.QUESTIONS}


class ClearanceForm(forms.Form):
    decision = forms.ChoiceField(choices=Clearance.Decision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Reasoning and any conditions"
    )
    # Optional: where a condition is a vital-sign limit, enter it here too and the chair
    # screen alerts at the tighter of it and the protocol's.
    alert_systolic_above_mmhg = forms.IntegerField(
        required=False, min_value=1, label="Alert: systolic above (mmHg)"
    )
    alert_diastolic_above_mmhg = forms.IntegerField(
        required=False, min_value=1, label="Alert: diastolic above (mmHg)"
    )
    alert_pulse_above_bpm = forms.IntegerField(
        required=False, min_value=1, label="Alert: pulse above (/min)"
    )
    alert_pulse_below_bpm = forms.IntegerField(
        required=False, min_value=1, label="Alert: pulse below (/min)"
    )
    alert_spo2_below_percent = forms.IntegerField(
        required=False, min_value=1, max_value=100, label="Alert: SpO2 below (%)"
    )


class WeightForm(forms.Form):
    value = forms.DecimalField(
        max_digits=5, decimal_places=1, label="Weight",
        widget=forms.NumberInput(
            attrs={"step": "0.1", "inputmode": "decimal", "data-weight-input": "unit"}
        ),
    )  # fmt: skip
    unit = forms.ChoiceField(
        choices=WeightMeasurement.Unit.choices, widget=forms.RadioSelect, label="Unit",
        error_messages={"required": "Choose the unit the scale shows: kg or lb."},
    )  # fmt: skip
    confirm_large_change = forms.BooleanField(
        required=False, label="I re-weighed the patient and checked the unit: record it"
    )
    confirm_unusual_weight = forms.BooleanField(
        required=False, label="I checked the unit on the scale: this first weight is right"
    )


class WeightCorrectionForm(WeightForm):
    reason = forms.CharField(
        label="Reason for the correction",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what was wrong with the weight."},
        help_text="e.g. typed 170 for 71.0, or pounds entered as kg.",
    )


class FollowUpForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="What was assessed and done"
    )
