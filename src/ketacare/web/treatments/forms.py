"""Forms of the session page. They only parse what was typed; every range and rule is checked by
the core (its InputError names the field and the allowed range and is shown beside the field)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from ketacare.core import scales as core_scales
from ketacare.web.lib.formids import OwnIds
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
        # the "now" button (static/treatments/chair.js) fills the clinic's local time: the page
        # is rendered and parsed in the clinic's zone (views.clinic_zone_for)
        offset = timezone.localtime(timezone.now()).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        for field in self.fields.values():
            if isinstance(field, forms.DateTimeField):
                field.widget.attrs["data-now"] = ""
                field.widget.attrs["data-utc-offset"] = str(minutes)


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
    at = _dt_field("Checklist done at")

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault(
            "at", timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
        )
        if session.gate_report:
            for name in (
                "systolic",
                "diastolic",
                "fasting_hours",
                "liquids_minutes",
                "nasal_medicine_minutes",
            ):
                value = getattr(session, name)
                # 152, not 152.0: the value as it was typed
                initial.setdefault(name, f"{value:g}" if isinstance(value, float) else value)
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
    """One rating of a chair scale, item by item: one choice per item of the core's definition
    (its short label and its range). ``items`` (scores separated by spaces or commas) is still
    read when no item is posted, for clients that send the list."""

    scale_id = forms.ChoiceField(
        label="Scale",
        choices=[("moaas", "MOAA/S (0-5)"), ("cadss", "CADSS (23 items, 0-4)")],
        widget=forms.HiddenInput,
    )
    minute = forms.IntegerField(
        label="Timepoint (min)",
        required=False,
        help_text="0 = pre-dose (the baseline for the follow-up)",
        widget=forms.NumberInput(attrs={"list": "timepoints", "inputmode": "numeric"}),
    )
    items = forms.CharField(max_length=400, required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, session: TreatmentSession, scale: str | None = None, **kwargs: Any
    ) -> None:
        data = args[0] if args else kwargs.get("data")
        scale = scale or (data.get("scale_id") if data is not None else None) or "moaas"
        kwargs.setdefault("auto_id", f"id_rating_{scale}_%s")
        kwargs.setdefault("initial", {}).setdefault("scale_id", scale)
        super().__init__(*args, session=session, **kwargs)
        self.scale = scale
        self.item_names: list[str] = []
        try:
            definition = core_scales.get_scale(scale)
        except Exception:  # an unknown scale is refused by the choice field and the service
            return
        self.definition = definition
        name = definition.name
        self.short_name = name.rsplit("(", 1)[-1].rstrip(")") if name.endswith(")") else name
        for item in definition.items:
            name = f"item_{item.number}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"{item.number}. {item.label}" if len(definition.items) > 1 else item.label,
                choices=[(str(n), str(n)) for n in range(item.min, item.max + 1)],
                coerce=int,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "segmented"}),
            )
            self.item_names.append(name)

    def item_fields(self) -> list[Any]:
        return [self[name] for name in self.item_names]

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # a Form's clean() gives cleaned_data
        posted = [data.get(name) for name in self.item_names]
        if any(value not in (None, "") for value in posted):
            blank = [str(i + 1) for i, value in enumerate(posted) if value in (None, "")]
            if blank:
                self.add_error(
                    "items", "Answer every item (not answered: item " + ", ".join(blank) + ")."
                )
            data["items"] = posted
        else:
            text = str(data.get("items") or "")
            parts = [part for part in text.replace(",", " ").split() if part]
            if not parts:
                self.add_error("items", "Enter the item scores.")
            data["items"] = parts
        return data


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
        definition = core_scales.get_scale("aldrete")
        for (name, _), item in zip(ALDRETE_ITEMS, definition.items, strict=True):
            self.fields[name] = forms.TypedChoiceField(
                label=f"Aldrete: {item.label}",
                choices=[(str(n), str(n)) for n in range(item.min, item.max + 1)],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "segmented"}),
            )

    def aldrete_items(self) -> list[int]:
        return [self.cleaned_data[name] for name, _ in ALDRETE_ITEMS]


class SignForm(SessionForm):
    pass


EARLY_KIND_CHOICES = [
    ("early", "Early discharge (before the criteria are met)"),
    ("transfer", "Transfer to another setting of care"),
]


class EarlyDischargeForm(SessionForm):
    """A prescriber's early discharge or transfer, with the reason (``services.
    record_early_discharge`` asks the core whether it may be recorded)."""

    kind = forms.ChoiceField(label="Early discharge or transfer", choices=EARLY_KIND_CHOICES)
    early_reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="why the patient leaves before the criteria are met, or where they go",
    )
    at = _dt_field("At")

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "at", timezone.localtime(timezone.now()).replace(second=0, microsecond=0)
        )
        super().__init__(*args, session=session, **kwargs)
        del self.fields["reason"]  # the reason of the early discharge is its own field


class OpenSessionForm(forms.Form):
    planned = forms.UUIDField(required=False, widget=forms.HiddenInput)
    chair = forms.IntegerField(label="Chair", required=False, min_value=1, max_value=99)
