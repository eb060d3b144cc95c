"""Visit every page as each named person and check who is allowed.

ROUTES lists every named page URL with the roles that may open it. A role not listed gets 403.
The other clinic's prescriber gets 404 for any Northside record (its existence is not revealed)
and never sees a Northside name on a list page. Anonymous visitors are sent to the login page.
``test_every_named_url_is_in_the_table`` fails when a URL is added without its row here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ADMIN, PRESCRIBER, NURSE, FRONT, RESEARCH = (
    "clinic_admin",
    "prescriber",
    "nurse",
    "front_desk",
    "researcher",
)
STAFF = {ADMIN, PRESCRIBER, NURSE, FRONT}
CLINICAL = {PRESCRIBER, NURSE}
EVERYONE = {ADMIN, PRESCRIBER, NURSE, FRONT, RESEARCH}

Kwargs = Callable[[dict[str, Any]], dict[str, Any]]


def none(world: dict[str, Any]) -> dict[str, Any]:
    return {}


def patient(world: dict[str, Any]) -> dict[str, Any]:
    return {"patient_uuid": world["patient"].uuid}


def trial(world: dict[str, Any]) -> dict[str, Any]:
    return {"patient_uuid": world["patient"].uuid, "trial_uuid": world["trial"].uuid}


def measure(world: dict[str, Any]) -> dict[str, Any]:
    return {"measure_uuid": world["measure"].uuid}


def alert(world: dict[str, Any]) -> dict[str, Any]:
    return {"alert_uuid": world["alert"].uuid}


def nurse_account(world: dict[str, Any]) -> dict[str, Any]:
    return {"user_uuid": world["nurse"].uuid}


def planned(world: dict[str, Any]) -> dict[str, Any]:
    return {"planned_uuid": world["planned"].uuid}


def course(world: dict[str, Any]) -> dict[str, Any]:
    return {"course_uuid": world["course"].uuid}


def evidence_trial(world: dict[str, Any]) -> dict[str, Any]:
    return {"trial_id": "daly-2018"}


def treatment_session(world: dict[str, Any]) -> dict[str, Any]:
    """A session record of the world's course (stored directly: test data), made on first use."""
    if "treatment_session" not in world:
        from ketacare.web.treatments.models import TreatmentSession

        course = world["course"]
        world["treatment_session"] = TreatmentSession.objects.create(
            clinic=course.clinic,
            patient=course.patient,
            course=course,
            planned=world["planned"],
            date=world["planned"].date,
            weight_kg=course.weight_kg,
            created_by=course.prescriber,
        )
    return {"session_uuid": world["treatment_session"].uuid}


def esketamine_session(world: dict[str, Any]) -> dict[str, Any]:
    """A session of an esketamine course (the REMS form exists only for these), made on first
    use."""
    if "esketamine_session" not in world:
        from ketacare.web.courses.models import Course
        from ketacare.web.treatments.models import TreatmentSession

        iv = world["course"]
        course = Course.objects.create(
            clinic=iv.clinic,
            patient=iv.patient,
            protocol_id="esketamine-trd",
            drug="esketamine",
            route="in",
            start_date=iv.start_date,
            weight_kg=iv.weight_kg,
            prescriber=iv.prescriber,
        )
        world["esketamine_session"] = TreatmentSession.objects.create(
            clinic=course.clinic,
            patient=course.patient,
            course=course,
            date=course.start_date,
            weight_kg=course.weight_kg,
            created_by=course.prescriber,
        )
    return {"session_uuid": world["esketamine_session"].uuid}


def vital(world: dict[str, Any]) -> dict[str, Any]:
    """An out-of-range vital-sign row of the world's session (stored directly: test data)."""
    if "vital" not in world:
        import datetime as dt

        from ketacare.web.treatments.models import VitalSign

        treatment_session(world)
        session = world["treatment_session"]
        world["vital"] = VitalSign.objects.create(
            clinic=session.clinic,
            session=session,
            taken_at=dt.datetime(2026, 1, 5, 9, 40, tzinfo=dt.UTC),
            systolic=192,
            diastolic=96,
            out_of_range=True,
            entered_by=world["course"].prescriber,
        )
    return {"vital_uuid": world["vital"].uuid}


# (url name, kwargs from the world, roles allowed, names a Northside record?[, "POST" for
# POST-only actions: they are POSTed empty, and an allowed person gets a redirect or a form
# error, never 403 or 404])
ROUTES: list[tuple[Any, ...]] = [
    ("dashboard", none, STAFF, False),
    ("reports", none, {ADMIN, PRESCRIBER, RESEARCH}, False),
    ("accounts:profile", none, EVERYONE, False),
    ("accounts:token_create", none, EVERYONE, False, "POST"),
    ("accounts:staff", none, {ADMIN}, False),
    ("accounts:staff_add", none, {ADMIN}, False, "POST"),
    ("accounts:staff_change", nurse_account, {ADMIN}, True, "POST"),
    ("accounts:clinic_mfa", none, {ADMIN}, False, "POST"),
    ("accounts:staff_mfa_reset", nurse_account, {ADMIN}, True, "POST"),
    ("accounts:password_change", none, EVERYONE, False),
    ("accounts:mfa_enrol", none, EVERYONE, False),
    ("accounts:mfa_recovery_codes", none, EVERYONE, False, "POST"),
    ("patients:list", none, STAFF, False),
    ("patients:new", none, STAFF, False),
    ("patients:detail", patient, STAFF, True),
    ("patients:edit", patient, STAFF, True),
    ("patients:intake", patient, CLINICAL, True),
    ("patients:trial_add", patient, CLINICAL, True),
    ("patients:trial_withdraw", trial, CLINICAL, True, "POST"),
    ("patients:screen", patient, CLINICAL, True),
    ("patients:consent", patient, CLINICAL, True),
    ("courses:calendar", none, STAFF, False),
    ("courses:new", patient, {PRESCRIBER}, True),
    ("courses:plan", course, CLINICAL, True),
    ("courses:status", course, {PRESCRIBER}, True),
    ("courses:missed", planned, CLINICAL, True, "POST"),
    # sessions at the chair (treatments)
    ("treatments:course_sessions", course, CLINICAL, True),
    ("treatments:detail", treatment_session, CLINICAL, True),
    ("treatments:vitals", treatment_session, CLINICAL, True),
    ("treatments:rems", treatment_session, CLINICAL, True),
    ("treatments:checklist", treatment_session, CLINICAL, True, "POST"),
    ("treatments:gate_decision", treatment_session, CLINICAL, True, "POST"),
    ("treatments:dose", treatment_session, CLINICAL, True, "POST"),
    ("treatments:administration", treatment_session, CLINICAL, True, "POST"),
    ("treatments:rating", treatment_session, CLINICAL, True, "POST"),
    ("treatments:adverse_event", treatment_session, CLINICAL, True, "POST"),
    ("treatments:discharge", treatment_session, CLINICAL, True, "POST"),
    ("treatments:sign", treatment_session, CLINICAL, True, "POST"),
    ("treatments:early_discharge", treatment_session, {PRESCRIBER}, True, "POST"),
    ("treatments:rems_submit", treatment_session, CLINICAL, True, "POST"),
    ("treatments:acknowledge_vital", vital, CLINICAL, True, "POST"),
    ("audit:list", none, {ADMIN}, False),
    ("audit:export", none, {ADMIN}, False),
    ("measures:new", patient, CLINICAL, True),
    ("measures:withdraw", measure, CLINICAL, True, "POST"),
    ("measures:alerts", none, CLINICAL, False),
    ("measures:acknowledge", alert, CLINICAL, True),
    ("evidence:trials", none, EVERYONE, False),
    ("evidence:trial", evidence_trial, EVERYONE, False),
    ("evidence:pool", none, EVERYONE, False),
    ("evidence:clinic", none, {ADMIN, PRESCRIBER, RESEARCH}, False),
    ("reports:cohort", none, {ADMIN, PRESCRIBER, RESEARCH}, False),
    ("reports:research_extract", none, {ADMIN, RESEARCH}, False),
    ("reports:fhir_bulk", none, {ADMIN, PRESCRIBER}, False),
    ("reports:fhir_patient", patient, {ADMIN, PRESCRIBER}, True),
    ("reports:progress_pdf", patient, CLINICAL, True),
    ("reports:rems_pdf", esketamine_session, CLINICAL, True),
]

# pages that answer without a role check (they redirect or are public)
NOT_IN_TABLE = {
    "home",
    "health",
    "accounts:login",
    "accounts:logout",
    "accounts:token_revoke",  # acts only on the signed-in user's own tokens (test_api_errors...)
    "accounts:mfa_verify",  # the sign-in's second step: sends anyone without a pending code on
    # the password reset pages are for people who cannot sign in (test_accounts_passwords)
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}

PEOPLE = ["prescriber", "nurse", "front_desk", "researcher", "admin", "other_clinician"]


def _named_urls() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace
                if ns in {"admin", "api-v1"}:
                    continue
                walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(namespace + entry.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_named_url_is_in_the_table() -> None:
    listed = {name for name, *_ in ROUTES} | NOT_IN_TABLE
    missing = _named_urls() - listed
    assert not missing, f"add these URLs to ROUTES with the roles allowed: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("person", PEOPLE)
def test_each_person_opens_only_what_their_role_allows(
    person: str, people: dict[str, Any], world: dict[str, Any], client_for: Any
) -> None:
    user = people[person]
    client = client_for(user)
    outsider = person == "other_clinician"
    problems = []
    for name, kwargs, allowed, names_record, *ok in ROUTES:
        url = reverse(name, kwargs=kwargs(world))
        post_only = ok == ["POST"]
        response = client.post(url, {}) if post_only else client.get(url)
        if user.role not in allowed:
            expected = 403
        elif outsider and names_record:
            expected = 404
        else:
            expected = response.status_code if post_only else 200
            if response.status_code in (403, 404, 405, 500):
                expected = 200
        if response.status_code != expected:
            problems.append(f"{person} GET {url}: {response.status_code}, expected {expected}")
        elif outsider and expected == 200:
            text = response.content.decode(errors="replace")  # zips and PDFs too
            for secret in ("Marlowe", str(world["patient"].uuid)):
                if secret in text:
                    problems.append(f"{person} GET {url} shows Northside's {secret!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(world: dict[str, Any], client_for: Any) -> None:
    client = client_for(None)
    for name, kwargs, *_ in ROUTES:
        url = reverse(name, kwargs=kwargs(world))
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
def test_login_and_health_pages_need_no_login(client_for: Any) -> None:
    client = client_for(None)
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.get(reverse("health")).status_code == 200
