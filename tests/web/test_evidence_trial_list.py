"""The evidence browser: every signed-in role (Frank Osei at the front desk included) reads the
trial records and filters them by condition, drug, route, outcome and design; the list is the
core's ``list_trials``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.evidence import list_trials

URL = reverse("evidence:trials")


def _listed(html: str) -> list[str]:
    return re.findall(r'href="/evidence/trials/([a-z0-9-]+)/"', html)


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["prescriber", "nurse", "front_desk", "researcher", "admin"])
def test_every_role_reads_all_the_records(
    person: str, people: dict[str, Any], client_for: Any
) -> None:
    response = client_for(people[person]).get(URL)
    assert response.status_code == 200
    assert _listed(response.content.decode()) == [t.id for t in list_trials()]


@pytest.mark.django_db
def test_filters_narrow_the_list_as_the_core_does(front_desk: Any, client_for: Any) -> None:
    client = client_for(front_desk)
    text = client.get(URL, {"drug": "esketamine", "design": "rct"}).content.decode()
    assert _listed(text) == [t.id for t in list_trials(drug="esketamine", design="rct")]
    assert "daly-2018" in _listed(text) and "grunebaum-2018" not in _listed(text)
    text = client.get(URL, {"route": "in"}).content.decode()
    assert _listed(text) == [t.id for t in list_trials(route="in")]
    text = client.get(URL, {"condition": "ptsd", "outcome": "response"}).content.decode()
    assert _listed(text) == [t.id for t in list_trials(condition="ptsd", outcome="response")]


@pytest.mark.django_db
def test_an_unknown_filter_value_is_shown_beside_its_field(nurse: Any, client_for: Any) -> None:
    text = client_for(nurse).get(URL, {"route": "rectal"}).content.decode()
    assert 'class="error"' in text and "rectal is not one of the available choices" in text
    assert _listed(text) == []


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client_for: Any) -> None:
    response = client_for(None).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
