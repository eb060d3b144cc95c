from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from ketacare.core import protocols as core_protocols
from ketacare.web.courses.models import COURSE_TRANSITIONS, CourseStatus
from ketacare.web.lib.forms import DateInput


def protocol_choices() -> list[tuple[str, str]]:
    return [
        (p.id, p.name)  # the name says the drug and route in words
        for p in sorted(core_protocols.list_protocols(), key=lambda p: p.id)
    ]


class CourseForm(forms.Form):
    protocol_id = forms.ChoiceField(
        label="Protocol",
        choices=protocol_choices,
        widget=forms.Select(attrs={"class": "wide"}),  # a long name: the whole row
    )
    start_date = forms.DateField(widget=DateInput)
    weight_kg = forms.FloatField(label="Weight (kg)", help_text="checked by the protocol's rules")
    closed_dates = forms.CharField(
        required=False,
        label="Closed dates",
        help_text="clinic closures to skip, comma-separated YYYY-MM-DD",
    )
    sessions = forms.IntegerField(
        required=False, min_value=1, label="Number of sessions", help_text="blank: the protocol's"
    )
    reason = forms.CharField(required=False, label="Note", widget=forms.TextInput)
    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason to start despite the screen",
        help_text="only when the contraindication screen is missing, incomplete or reports a "
        "contraindication: a prescriber's reason, kept on the course",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    concurrent_reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason for a second active course",
        help_text="only when the patient already has an active course",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_closed_dates(self) -> list[dt.date]:
        text: str = self.cleaned_data.get("closed_dates") or ""
        dates: list[dt.date] = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            try:
                dates.append(dt.date.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(
                    f"{part!r} is not a date; allowed: YYYY-MM-DD, comma-separated"
                ) from None
        return dates


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="Move to", choices=CourseStatus.choices)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, current: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if current is not None:
            allowed = COURSE_TRANSITIONS.get(current, ())
            self.fields["to_status"].choices = [  # type: ignore[attr-defined]  # a ChoiceField: the stubs type form fields as Field
                (value, label) for value, label in CourseStatus.choices if value in allowed
            ]
