from django.urls import path

from ketacare.web.clinic.reports import views

app_name = "reports"
urlpatterns = [
    path("cohort/", views.cohort, name="cohort"),
    path("research-extract/", views.research_extract, name="research_extract"),
    path("fhir/", views.fhir_bulk, name="fhir_bulk"),
    path("fhir/<uuid:patient_uuid>/", views.fhir_patient, name="fhir_patient"),
    path("progress/<uuid:patient_uuid>/", views.progress_pdf, name="progress_pdf"),
    path("rems/<uuid:session_uuid>/", views.rems_pdf, name="rems_pdf"),
]
