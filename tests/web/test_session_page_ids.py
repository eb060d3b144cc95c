"""The session page holds many forms (checklist, dose, vitals, ratings...) that share field names
(``systolic``, ``version``, ``reason``). Each form's ids carry its own prefix, so no id appears
twice and every label focuses the field of its own form: the vitals form's "Systolic" label
once focused the checklist's systolic field."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    """Every id on the page, and for each label[for] the form it sits in and its target's."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.form_of_id: dict[str, int | None] = {}
        self.labels: list[tuple[str, int | None]] = []
        self.forms: list[int] = []
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.count += 1
            self.forms.append(self.count)
        current = self.forms[-1] if self.forms else None
        if found.get("id"):
            self.ids.append(str(found["id"]))
            self.form_of_id[str(found["id"])] = current
        if tag == "label" and found.get("for"):
            self.labels.append((str(found["for"]), current))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.forms:
            self.forms.pop()


def parsed(html: str) -> Ids:
    parser = Ids()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("which", ["iv_session", "esk_session"])
def test_the_session_page_has_no_duplicate_ids_and_each_label_is_its_forms(
    which: str, request: Any, nurse: Any, client_for: Any
) -> None:
    session = request.getfixturevalue(which)
    response = client_for(nurse).get(reverse("treatments:detail", args=[session.uuid]))
    assert response.status_code == 200
    page = parsed(response.content.decode())
    twice = {i: n for i, n in Counter(page.ids).items() if n > 1}
    assert not twice, f"ids used more than once: {twice}"
    for target, form in page.labels:
        assert target in page.form_of_id, f"label for {target!r} has no field"
        assert page.form_of_id[target] == form, f"label for {target!r} focuses another form"
    # the two systolic fields are told apart
    assert sum("systolic" in i for i in page.ids) >= 2
