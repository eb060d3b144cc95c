from __future__ import annotations

from django import forms

from ketacare.web.patients.models import Patient


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
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
