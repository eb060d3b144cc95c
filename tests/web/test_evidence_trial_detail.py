"""A study's page: citation, DOI link, design, arms, every number of every outcome with the
source it was read from, and the flags (reconstructed counts, shared control arms)."""

from __future__ import annotations

from html import escape
from typing import Any

import pytest
from django.urls import reverse

from ketacare.core.evidence import get_trial


def _page(client: Any, trial_id: str) -> str:
    response = client.get(reverse("evidence:trial", kwargs={"trial_id": trial_id}))
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.mark.django_db
def test_daly_2018_shows_its_citation_doi_arms_and_every_number_with_its_source(
    researcher: Any, client_for: Any
) -> None:
    text = _page(client_for(researcher), "daly-2018")
    trial = get_trial("daly-2018")
    assert escape(trial.citation) in text
    assert f'href="https://doi.org/{trial.doi}"' in text
    assert trial.design in text and escape(trial.comparator) in text
    for outcome in trial.outcomes:
        section = text.split(f'id="outcome-{outcome.id}"')[1].split("</section>")[0]
        assert escape(outcome.source) in section
        for value in outcome.numbers.values():
            assert f"<td>{value}</td>" in section
        if outcome.shared_control:
            assert "shares its control arm" in section


@pytest.mark.django_db
def test_reconstructed_counts_are_flagged_with_their_check(nurse: Any, client_for: Any) -> None:
    text = _page(client_for(nurse), "grunebaum-2018")
    trial = get_trial("grunebaum-2018")
    rebuilt = [o for o in trial.outcomes if o.reconstructed]
    assert rebuilt
    for outcome in rebuilt:
        section = text.split(f'id="outcome-{outcome.id}"')[1].split("</section>")[0]
        assert "reconstructed" in section
        assert escape(outcome.reconstruction_check) in section


@pytest.mark.django_db
def test_a_pooled_analysis_record_says_it_is_never_pooled_beside_trials(
    front_desk: Any, client_for: Any
) -> None:
    assert "never pooled beside trials" in _page(client_for(front_desk), "turkoz-2021")


@pytest.mark.django_db
def test_an_unknown_trial_is_not_found(prescriber: Any, client_for: Any) -> None:
    url = reverse("evidence:trial", kwargs={"trial_id": "no-such-trial"})
    assert client_for(prescriber).get(url).status_code == 404
