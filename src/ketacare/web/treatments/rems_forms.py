"""Forms of the REMS page and the vital-sign alerts. They only parse what was typed; the core
(``check_rems_submission``) and the services check the values."""

from __future__ import annotations

from typing import Any

from django import forms


class RemsSubmissionForm(forms.Form):
    submitted_on = forms.DateField(
        label="Submitted to the REMS on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    confirmation = forms.CharField(
        label="REMS confirmation",
        max_length=100,
        help_text="the confirmation number (or text) the REMS portal gave",
    )
    reason = forms.CharField(
        label="Reason for the correction",
        required=False,
        max_length=500,
        help_text="required when correcting a recorded submission; the old one is kept",
    )

    def __init__(self, *args: Any, correction: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not correction:
            del self.fields["reason"]


class AcknowledgeVitalForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=500,
        help_text="what was done or decided (e.g. rechecked 142/88, prescriber informed)",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
