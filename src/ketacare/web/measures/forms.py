"""The measure form: one field per item of the chosen scale (from the core's definition)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from ketacare.core import scales as core_scales
from ketacare.web.lib.forms import DateTimeInput

YES_NO = [("", "—"), ("y", "Yes"), ("n", "No"), ("-", "Skipped")]


def scale_choices() -> list[tuple[str, str]]:
    return [(s.id, s.name) for s in core_scales.list_scales()]


class ScaleChoiceForm(forms.Form):
    scale = forms.ChoiceField(choices=scale_choices)


class MeasureForm(forms.Form):
    course = forms.ChoiceField(required=False, label="Course")
    baseline = forms.BooleanField(required=False, label="Baseline of this course")
    taken_at = forms.DateTimeField(widget=DateTimeInput, label="Taken at")

    def __init__(self, *args: Any, scale: Any, courses: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "taken_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        )
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.fields["course"].choices = [("", "No course")] + [  # type: ignore[attr-defined]  # a ChoiceField: the stubs type form fields as Field
            (
                str(c.uuid),
                f"{c.protocol_name} from {c.start_date:%Y-%m-%d} ({c.get_status_display()})",
            )
            for c in courses
        ]
        if courses:
            self.fields["course"].initial = str(courses[0].uuid)
        for option in scale.options:
            needed = option.default is None and option.required
            self.fields[f"opt_{option.key}"] = forms.ChoiceField(
                choices=([] if needed else [("", "—")]) + [(v, v) for v in option.values],
                initial=option.default,
                required=needed,
                label=option.key,
                help_text=option.help,
            )
        for item in scale.items:
            name = f"item_{item.number}"
            if scale.answers == "yes-no":
                choices = YES_NO
            else:
                choices = [("", "—")] + [(str(v), str(v)) for v in range(item.min, item.max + 1)]
            self.fields[name] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"{item.number}. {item.label}",
                help_text=" ".join(
                    part
                    for part in (item.text or "", "may be left blank" if item.may_be_blank else "")
                    if part
                ),
            )

    def items(self) -> list[int | str | None]:
        values: list[int | str | None] = []
        for item in self.scale.items:
            raw = self.cleaned_data.get(f"item_{item.number}", "")
            if raw in ("", None):
                values.append(None)
            elif self.scale.answers == "yes-no":
                values.append(raw)
            else:
                values.append(int(raw))
        return values

    def options(self) -> dict[str, str]:
        return {
            o.key: self.cleaned_data[f"opt_{o.key}"]
            for o in self.scale.options
            if self.cleaned_data.get(f"opt_{o.key}")
        }


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was done",
        help_text="assessment, safety plan, who was contacted",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def item_field_map(scale: Any) -> dict[str, str]:
    """Map the core's InputError field names ("phq9 item 3") to form fields ("item_3")."""
    mapping = {f"{scale.id} item {i.number}": f"item_{i.number}" for i in scale.items}
    mapping.update({f"option {o.key}": f"opt_{o.key}" for o in scale.options})
    mapping.update({o.key: f"opt_{o.key}" for o in scale.options})
    return mapping
