"""A second row where a clinical rule allows one answers 409 with the field at fault, never 500:
in the JSON API in its one error shape, on the pages beside the form field. An IntegrityError
that escapes a service anyway (the safety net) answers 409 too, in the API and on the pages.

The races themselves (two requests at the same instant) are in ``test_concurrent_writes.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from ketacare.core.errors import InputError
from ketacare.web.clinic.api import api
from ketacare.web.lib.middleware import ConflictMiddleware
from ketacare.web.lib.records import ConflictError, DuplicateError, integrity_fields
from ketacare.web.measures.models import Measure
from ketacare.web.patients import services as patient_services
from ketacare.web.patients.models import Patient
from ketacare.web.treatments.models import TreatmentSession

pytestmark = pytest.mark.django_db
JSON = "application/json"
NEW = {
    "record_number": "N-0001",  # the ``patient`` fixture's
    "given_name": "Blair",
    "family_name": "Okafor",
    "date_of_birth": "1979-03-02",
    "sex": "male",
}
MADRS_30 = [4, 4, 3, 3, 3, 3, 3, 3, 3, 1]


def _integrity_error_of_a_duplicate_patient(patient: Patient) -> IntegrityError:
    """A real IntegrityError from the database (a second N-0001 inserted past the service)."""
    try:
        with transaction.atomic():
            Patient.objects.create(
                clinic_id=patient.clinic_id,
                record_number=patient.record_number,
                given_name="X",
                family_name="Y",
                date_of_birth=dt.date(1990, 1, 1),
            )
    except IntegrityError as exc:
        return exc
    raise AssertionError("the database accepted a second record number N-0001")


# --- the error itself ------------------------------------------------------------------------


def test_a_duplicate_is_a_conflict_and_an_input_error_naming_its_field() -> None:
    error = DuplicateError("record_number", "N-1", "a record number not yet in use")
    assert isinstance(error, ConflictError) and isinstance(error, InputError)
    assert isinstance(error, ValueError)
    assert error.fields == {"record_number": error.message}
    again = pickle.loads(pickle.dumps(error))
    assert (again.field, again.value, again.fields) == (error.field, error.value, error.fields)


def test_a_unique_violation_names_its_columns_without_the_clinic(patient: Patient) -> None:
    exc = _integrity_error_of_a_duplicate_patient(patient)
    assert list(integrity_fields(exc)) == ["record_number"]


# --- a duplicate record number ----------------------------------------------------------------


def test_the_api_answers_409_for_a_record_number_in_use(
    nurse: Any, patient: Patient, client_for: Any, api_error: Any
) -> None:
    response = client_for(nurse).post("/api/v1/patients", NEW, content_type=JSON)
    error = api_error(response, 409, "conflict", "record_number")
    assert "not yet in use" in error["fields"]["record_number"]
    assert Patient.objects.filter(record_number="N-0001").count() == 1


def test_the_api_answers_409_for_an_edit_to_a_record_number_in_use(
    nurse: Any, patient: Patient, client_for: Any, api_error: Any
) -> None:
    other = patient_services.create_patient(
        nurse, **{**NEW, "record_number": "N-0002", "date_of_birth": dt.date(1979, 3, 2)}
    )
    response = client_for(nurse).patch(
        f"/api/v1/patients/{other.uuid}",
        {"version": other.version, "record_number": "N-0001"},
        content_type=JSON,
    )
    api_error(response, 409, "conflict", "record_number")
    other.refresh_from_db()
    assert other.record_number == "N-0002"


def test_the_registration_page_shows_the_duplicate_beside_its_field_with_409(
    nurse: Any, patient: Patient, client_for: Any
) -> None:
    response = client_for(nurse).post("/patients/new/", NEW)
    assert response.status_code == 409
    form = response.context["form"]
    assert "record_number" in form.errors and not form.non_field_errors()
    assert "not yet in use" in response.content.decode()
    assert Patient.objects.filter(record_number="N-0001").count() == 1


def test_the_edit_page_shows_the_duplicate_beside_its_field_with_409(
    nurse: Any, patient: Patient, client_for: Any
) -> None:
    other = patient_services.create_patient(
        nurse, **{**NEW, "record_number": "N-0002", "date_of_birth": dt.date(1979, 3, 2)}
    )
    response = client_for(nurse).post(
        f"/patients/{other.uuid}/edit/",
        {**NEW, "record_number": "N-0001", "version": other.version, "reason": "typo"},
    )
    assert response.status_code == 409
    assert "record_number" in response.context["form"].errors


# --- a second baseline -------------------------------------------------------------------------


def test_the_api_answers_409_for_a_second_baseline(
    nurse: Any, world: dict[str, Any], client_for: Any, api_error: Any
) -> None:
    patient, course = world["patient"], world["course"]
    body = {
        "patient": str(patient.uuid),
        "course": str(course.uuid),
        "scale_id": "madrs",
        "items": MADRS_30,
        "baseline": True,
    }
    client = client_for(nurse)
    assert client.post("/api/v1/measures", body, content_type=JSON).status_code == 201
    api_error(client.post("/api/v1/measures", body, content_type=JSON), 409, "conflict", "baseline")
    assert Measure.objects.filter(course=course, is_baseline=True).count() == 1


def test_the_measure_page_shows_a_second_baseline_beside_its_box_with_409(
    nurse: Any, world: dict[str, Any], client_for: Any
) -> None:
    from ketacare.web.measures import services as measure_services

    patient, course = world["patient"], world["course"]
    measure_services.record_measure(
        nurse, patient, scale_id="madrs", items=MADRS_30, course=course, baseline=True
    )
    form = {
        "scale": "madrs",
        "course": str(course.uuid),
        "baseline": "on",
        "taken_at": "2026-01-05T10:00",
        **{f"item_{i + 1}": str(v) for i, v in enumerate(MADRS_30)},
    }
    response = client_for(nurse).post(f"/measures/new/{patient.uuid}/", form)
    assert response.status_code == 409
    assert "baseline" in response.context["form"].errors
    assert Measure.objects.filter(course=course, is_baseline=True).count() == 1


# --- a planned session opened twice -------------------------------------------------------------


def test_the_api_answers_409_for_a_planned_session_opened_twice(
    iv_course: Any, nurse: Any, client_for: Any, api_error: Any
) -> None:
    planned = iv_course.planned_sessions.first()
    body = {"course": str(iv_course.uuid), "planned": str(planned.uuid)}
    client = client_for(nurse)
    assert client.post("/api/v1/sessions", body, content_type=JSON).status_code == 201
    api_error(client.post("/api/v1/sessions", body, content_type=JSON), 409, "conflict", "planned")
    assert TreatmentSession.objects.filter(planned=planned).count() == 1


def test_the_course_sessions_page_refuses_a_planned_session_opened_twice_beside_it(
    iv_course: Any, nurse: Any, client_for: Any
) -> None:
    # the page is the treatments app's: it shows the refusal on its form (the field is hidden, so
    # the message is at the top) and answers its own 4xx for a refused form, never a 500
    planned = iv_course.planned_sessions.first()
    client = client_for(nurse)
    url = f"/sessions/course/{iv_course.uuid}/"
    assert client.post(url, {"planned": str(planned.uuid)}).status_code == 302
    response = client.post(url, {"planned": str(planned.uuid)})
    assert 400 <= response.status_code < 500
    assert "planned" in response.context["form"].errors
    assert "without a session record yet" in response.content.decode()
    assert TreatmentSession.objects.filter(planned=planned).count() == 1


# --- a user name in use ------------------------------------------------------------------------


def test_the_staff_page_shows_a_user_name_in_use_beside_its_field_with_409(
    admin_user: Any, nurse: Any, client_for: Any
) -> None:
    from ketacare.web.accounts.models import User

    response = client_for(admin_user).post(
        "/accounts/staff/add/",
        {
            "username": nurse.username,
            "first_name": "Nadia",
            "last_name": "Haddad",
            "role": "nurse",
            "password": "a long enough passphrase 9",
        },
    )
    assert response.status_code == 409
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username=nurse.username).count() == 1


# --- the safety net: an IntegrityError no service turned into a conflict ------------------------


def test_an_integrity_error_escaping_into_the_api_is_a_409_in_the_one_shape(
    patient: Patient, api_error: Any
) -> None:
    exc = _integrity_error_of_a_duplicate_patient(patient)
    response = api.on_exception(RequestFactory().post("/api/v1/patients"), exc)
    response.json = lambda: json.loads(response.content)  # type: ignore[attr-defined]
    error = api_error(response, 409, "conflict", "record_number")
    assert "Nothing was saved" in error["message"]


def test_an_integrity_error_escaping_a_page_view_is_a_409_page(
    nurse: Any, patient: Patient
) -> None:
    exc = _integrity_error_of_a_duplicate_patient(patient)
    request = RequestFactory().post("/patients/new/")
    request.user = nurse
    response = ConflictMiddleware(lambda r: None).process_exception(request, exc)
    assert response is not None and response.status_code == 409
    page = response.content.decode()
    assert "Not saved" in page and "Nothing was saved" in page and "record_number" in page


def test_a_stale_save_escaping_a_page_view_is_a_409_page(nurse: Any, patient: Patient) -> None:
    exc = ConflictError(patient, 1, 2)
    request = RequestFactory().post(f"/patients/{patient.uuid}/edit/")
    request.user = nurse
    response = ConflictMiddleware(lambda r: None).process_exception(request, exc)
    assert response is not None and response.status_code == 409
    assert "changed by someone else" in response.content.decode()


def test_the_page_safety_net_leaves_the_api_and_other_errors_alone(
    nurse: Any, patient: Patient
) -> None:
    middleware = ConflictMiddleware(lambda r: None)
    api_request = RequestFactory().post("/api/v1/patients")
    exc = _integrity_error_of_a_duplicate_patient(patient)
    assert middleware.process_exception(api_request, exc) is None
    page_request = RequestFactory().get("/patients/")
    assert middleware.process_exception(page_request, ValueError("a bug")) is None
