from __future__ import annotations

from typing import Any

from django import forms

from ketacare.web.lib.forms import DateInput
from ketacare.web.patients.models import Patient, TrialResponse


class PatientForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Patient
        fields = [
            "record_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
        ]
        widgets = {"date_of_birth": DateInput}


class PatientEditForm(PatientForm):
    """The demographics amended: every change needs its reason, kept in the audit trail and
    shown with the change on the patient's page."""

    reason = forms.CharField(
        max_length=500,
        label="Reason for the change",
        help_text="kept with the change: who asked, what document it comes from",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the demographics change: it is kept with them."},
    )


class TrialForm(forms.Form):
    drug = forms.CharField(max_length=100, label="Antidepressant")
    dose_mg = forms.FloatField(required=False, label="Dose (mg/day)")
    weeks = forms.FloatField(required=False, label="Weeks at that dose")
    adequate = forms.NullBooleanField(
        label="Adequate dose and duration",
        widget=forms.Select(
            choices=[("unknown", "Not assessed"), ("true", "Yes"), ("false", "No")]
        ),
    )
    response = forms.ChoiceField(choices=TrialResponse.choices, initial="unknown")
    current_episode = forms.BooleanField(required=False, initial=True, label="Current episode")
    started = forms.DateField(required=False, widget=DateInput)
    note = forms.CharField(required=False, max_length=300)


DRUG_CHOICES = [
    ("", "Any"),
    ("racemic", "Racemic ketamine"),
    ("esketamine", "Esketamine"),
    ("arketamine", "Arketamine"),
]
ROUTE_CHOICES = [
    ("", "Any"),
    ("iv", "Intravenous"),
    ("im", "Intramuscular"),
    ("sc", "Subcutaneous"),
    ("in", "Intranasal"),
    ("po", "Oral"),
    ("sl", "Sublingual"),
]
ANSWER_CHOICES = [("", "Not asked"), ("no", "No"), ("yes", "Yes")]


class ScreenForm(forms.Form):
    """One yes/no/not-asked field per question of the core's screen (``q_<id>``)."""

    drug = forms.ChoiceField(choices=DRUG_CHOICES, required=False)
    route = forms.ChoiceField(choices=ROUTE_CHOICES, required=False)

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in questions:
            self.fields[f"q_{q.id}"] = forms.ChoiceField(
                choices=ANSWER_CHOICES,
                required=False,
                label=q.label,
                help_text=f"{q.kind}: {', '.join(q.drugs)}"
                + (f" ({', '.join(q.routes)})" if q.routes else ""),
            )

    def answers(self) -> dict[str, bool]:
        return {
            name[2:]: value == "yes"
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and value in ("yes", "no")
        }


class ConsentForm(forms.Form):
    given_on = forms.DateField(widget=DateInput, label="Consent given on")
    scope = forms.CharField(
        max_length=200, label="Consented to", initial="course of ketamine treatment"
    )
    course = forms.ChoiceField(required=False, label="Treatment series")
    document_reference = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, courses: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", "Not linked to a course")] + [  # type: ignore[attr-defined]  # a ChoiceField: the stubs type form fields as Field
            (str(c.uuid), f"{c.protocol_name} from {c.start_date:%Y-%m-%d}") for c in courses
        ]
