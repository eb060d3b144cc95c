"""The audit trail's filters, read from the query string (GET): a bookmarkable, shareable URL."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from ketacare.web.audit.actions import grouped_actions
from ketacare.web.lib.forms import DateInput

GROUP_SUFFIX = ".*"


def action_choices() -> list[Any]:
    """ "Every action", then per group "Every <group> action" and each action, by its label."""
    choices: list[Any] = [("", "Every action")]
    for group, heading, items in grouped_actions():
        options = [(group + GROUP_SUFFIX, f"All: {heading.lower()}")]
        options += [(action, label) for action, label in items]
        choices.append((heading, options))
    return choices


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        label="Patient",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or record number"}),
    )
    patient = forms.UUIDField(required=False, widget=forms.HiddenInput)
    user = forms.ChoiceField(label="Who", required=False)
    action = forms.ChoiceField(label="Action", required=False)
    date_from = forms.DateField(label="From", required=False, widget=DateInput)
    date_to = forms.DateField(label="To", required=False, widget=DateInput)

    def __init__(self, data: Any, *, clinic_id: int | None) -> None:
        super().__init__(data)
        staff = (
            get_user_model()  # type: ignore[misc]  # the audit log is a clinic member's page
            .objects.filter(clinic_id=clinic_id)
            .order_by("last_name", "first_name", "username")
        )
        cast(forms.ChoiceField, self.fields["user"]).choices = [("", "Anyone")] + [
            (str(u.uuid), u.display_name) for u in staff
        ]
        cast(forms.ChoiceField, self.fields["action"]).choices = action_choices()

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # a Form's clean() gives cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def action_filter(self) -> dict[str, str]:
        """The lookup of the chosen action: one action, or every action of a group."""
        chosen = self.cleaned_data.get("action") or ""
        if chosen.endswith(GROUP_SUFFIX):
            return {"action__startswith": chosen.removesuffix(GROUP_SUFFIX) + "."}
        return {"action": chosen} if chosen else {}
