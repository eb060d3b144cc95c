"""Forms of the session page. They only parse what was typed; every range and rule is checked by
the core (its InputError names the field and the allowed range and is shown beside the field)."""

from __future__ import annotations

from typing import Any

from django import forms

from ketacare.web.core_app.formids import OwnIds
from ketacare.web.treatments.models import Severity, TreatmentSession

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
YES_NO_UNKNOWN = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


def _dt_field(label: str, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def _number(label: str, help_text: str = "", step: str = "any") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": step, "inputmode": "decimal"}),
    )


class YesNoField(forms.TypedChoiceField):
    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            choices=YES_NO_UNKNOWN,
            coerce=lambda v: v == "yes",
            empty_value=None,
            required=False,
            **kwargs,
        )


class SessionForm(OwnIds, forms.Form):
    """Every session form carries the version the user saw and, once signed, a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label="Reason for the amendment",
        required=False,
        max_length=1000,
        widget=forms.TextInput,
        help_text="the session is signed: every change is an amendment with its reason",
    )

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", session.version)
        super().__init__(*args, **kwargs)
        self.session = session
        if not session.is_signed:
            self.fields["reason"].widget = forms.HiddenInput()


class AppendForm(SessionForm):
    """Rows appended to the session (vitals, ratings, events) carry no version."""

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        super().__init__(*args, session=session, **kwargs)
        del self.fields["version"]


class ChecklistForm(SessionForm):
    systolic = forms.FloatField(
        label="Systolic BP (mmHg)", widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    diastolic = forms.FloatField(
        label="Diastolic BP (mmHg)", widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    fasting_hours = _number("Hours since last food")
    liquids_minutes = _number("Minutes since last drink")
    nasal_medicine_minutes = _number(
        "Minutes since a nasal corticosteroid or decongestant",
        "leave empty if none taken today; the label asks for at least 1 h before esketamine",
    )
    ride_home = YesNoField("Ride home arranged")
    rems_enrolled = YesNoField("Enrolled in the Spravato REMS")

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        if session.gate_report:
            initial = kwargs.setdefault("initial", {})
            for name in (
                "systolic",
                "diastolic",
                "fasting_hours",
                "liquids_minutes",
                "nasal_medicine_minutes",
            ):
                initial.setdefault(name, getattr(session, name))
            for name in ("ride_home", "rems_enrolled"):
                value = getattr(session, name)
                initial.setdefault(name, "" if value is None else ("yes" if value else "no"))
        super().__init__(*args, session=session, **kwargs)
        if session.course.drug != "esketamine":
            del self.fields["liquids_minutes"]
            del self.fields["nasal_medicine_minutes"]
            del self.fields["rems_enrolled"]


class GateDecisionForm(SessionForm):
    note = forms.CharField(
        label="Prescriber's decision",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="dose or not, and why (e.g. BP rechecked 150/92 after rest: proceed)",
    )


class DoseForm(SessionForm):
    dose_mg_per_kg = _number("Dose (mg/kg)", "leave empty for the planned dose")
    dose_mg = _number("Dose (mg)", "or a dose in mg")
    concentration_mg_per_ml = _number("Concentration (mg/mL)", "for the volume and rate")
    override_reason = forms.CharField(
        label="Override reason",
        required=False,
        max_length=1000,
        help_text="only a prescriber may give a dose above the protocol maximum",
    )

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        super().__init__(*args, session=session, **kwargs)
        if session.course.drug == "esketamine":
            del self.fields["dose_mg_per_kg"]
            del self.fields["concentration_mg_per_ml"]


class AdministrationForm(SessionForm):
    lot_number = forms.CharField(label="Lot number", required=False, max_length=60)
    started_at = _dt_field("Start of dosing")
    first_device_at = _dt_field("First device (esketamine)")
    ended_at = _dt_field("End of dosing")

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        for name in ("lot_number", "started_at", "first_device_at", "ended_at"):
            initial.setdefault(name, getattr(session, name))
        super().__init__(*args, session=session, **kwargs)
        if session.course.drug != "esketamine":
            del self.fields["first_device_at"]


class VitalsForm(AppendForm):
    minute = forms.IntegerField(
        label="Timepoint (min)",
        required=False,
        widget=forms.NumberInput(attrs={"list": "timepoints", "inputmode": "numeric"}),
    )
    taken_at = _dt_field("Taken at", required=False)
    systolic = _number("Systolic", step="1")
    diastolic = _number("Diastolic", step="1")
    heart_rate = _number("Heart rate", step="1")
    spo2 = _number("SpO2 (%)", step="1")
    resp_rate = _number("Resp. rate", step="1")


class RatingForm(AppendForm):
    scale_id = forms.ChoiceField(
        label="Scale", choices=[("moaas", "MOAA/S (0-5)"), ("cadss", "CADSS (23 items, 0-4)")]
    )
    minute = forms.IntegerField(
        label="Timepoint (min)",
        required=False,
        help_text="0 = pre-dose (the baseline for the follow-up)",
        widget=forms.NumberInput(attrs={"list": "timepoints", "inputmode": "numeric"}),
    )
    items = forms.CharField(
        label="Item scores",
        max_length=400,
        help_text="MOAA/S: one value; CADSS: 23 values separated by spaces or commas",
    )

    def clean_items(self) -> list[str]:
        text = self.cleaned_data["items"]
        return [part for part in text.replace(",", " ").split() if part]


class AdverseEventForm(AppendForm):
    description = forms.CharField(label="Event", max_length=300)
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    serious = forms.BooleanField(label="Serious adverse event", required=False)
    onset_at = _dt_field("Onset", required=False)
    action_taken = forms.CharField(label="Action taken", required=False, max_length=300)


ALDRETE_ITEMS = (
    ("aldrete_activity", "Activity"),
    ("aldrete_respiration", "Respiration"),
    ("aldrete_circulation", "Circulation (BP vs baseline)"),
    ("aldrete_consciousness", "Consciousness"),
    ("aldrete_spo2", "Oxygen saturation"),
)


class DischargeForm(SessionForm):
    bp_stable = YesNoField("BP stable at a safe level")
    ride_home = YesNoField("Ride home arranged")

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        super().__init__(*args, session=session, **kwargs)
        for name, label in ALDRETE_ITEMS:
            self.fields[name] = forms.TypedChoiceField(
                label=f"Aldrete: {label}",
                choices=[("", "—"), ("0", "0"), ("1", "1"), ("2", "2")],
                coerce=int,
            )

    def aldrete_items(self) -> list[int]:
        return [self.cleaned_data[name] for name, _ in ALDRETE_ITEMS]


class SignForm(SessionForm):
    pass


class OpenSessionForm(forms.Form):
    planned = forms.UUIDField(required=False, widget=forms.HiddenInput)
    chair = forms.IntegerField(label="Chair", required=False, min_value=1, max_value=99)
