"""Forms of the check-in pages: enrolment and schedule changes (staff), the date-of-birth check
and the questionnaire (patient). Choices come from the core; nothing is scored here."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from ketacare.core.checkins import cadence
from ketacare.core.checkins.forms import PatientForm
from ketacare.web.checkins.models import Channel
from ketacare.web.lib.forms import DateInput


def rule_choices() -> list[tuple[str, str]]:
    return [(r.id, f"{r.name}") for r in cadence.list_rules()]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class EnrolForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices, initial="email", widget=forms.RadioSelect)
    contact = forms.CharField(
        max_length=200, help_text="the patient's email address or mobile number for this channel"
    )
    consent_to_contact = forms.BooleanField(
        required=False, label="The patient consents to be contacted for check-ins"
    )
    quiet_start = forms.TimeField(required=False, widget=TimeInput(), label="Quiet hours from")
    quiet_end = forms.TimeField(required=False, widget=TimeInput(), label="Quiet hours until")
    rule_id = forms.ChoiceField(label="Schedule", choices=())
    every_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=366,
        label="Or every N days",
        help_text="leave empty to follow the schedule",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule_id"]).choices = rule_choices()


class ChangeForm(forms.Form):
    rule_id = forms.ChoiceField(label="Schedule", choices=())
    every_days = forms.IntegerField(
        required=False, min_value=1, max_value=366, label="Or every N days"
    )
    paused = forms.BooleanField(required=False, label="Paused (no check-ins are sent)")
    opted_out = forms.BooleanField(required=False, label="The patient opted out")
    reason = forms.CharField(max_length=300, label="Reason for the change")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule_id"]).choices = rule_choices()


class BirthDateForm(forms.Form):
    date_of_birth = forms.DateField(label="Your date of birth", widget=DateInput())


def field_name(scale_id: str, number: int) -> str:
    return f"{scale_id}_{number}"


class AnswerForm(forms.Form):
    """One radio group per question of each scale (every question must be answered)."""

    def __init__(self, *args: Any, forms_: list[PatientForm], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient_forms = forms_
        for pf in forms_:
            for q in pf.questions:
                self.fields[field_name(pf.scale, q.number)] = forms.TypedChoiceField(
                    label=q.text,
                    choices=[(str(v), text) for v, text in q.choices],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": "Please choose an answer."},
                )

    def answers(self) -> dict[str, list[int | None]]:
        return {
            pf.scale: [self.cleaned_data[field_name(pf.scale, q.number)] for q in pf.questions]
            for pf in self.patient_forms
        }

    def sections(self) -> list[dict[str, Any]]:
        return [
            {
                "form": pf,
                "fields": [self[field_name(pf.scale, q.number)] for q in pf.questions],
            }
            for pf in self.patient_forms
        ]
