from django.urls import path

from ketacare.web.treatments import rems_views, views

app_name = "treatments"
urlpatterns = [
    path("course/<uuid:course_uuid>/", views.course_sessions, name="course_sessions"),
    path("<uuid:session_uuid>/", views.detail, name="detail"),
    path("<uuid:session_uuid>/checklist/", views.checklist, name="checklist"),
    path("<uuid:session_uuid>/gate/", views.gate_decision, name="gate_decision"),
    path("<uuid:session_uuid>/dose/", views.dose, name="dose"),
    path("<uuid:session_uuid>/administration/", views.administration, name="administration"),
    path("<uuid:session_uuid>/vitals/", views.vitals, name="vitals"),
    path("<uuid:session_uuid>/ratings/", views.rating, name="rating"),
    path("<uuid:session_uuid>/adverse-events/", views.adverse_event, name="adverse_event"),
    path("<uuid:session_uuid>/discharge/", views.discharge, name="discharge"),
    path("<uuid:session_uuid>/early-discharge/", views.early_discharge, name="early_discharge"),
    path("<uuid:session_uuid>/sign/", views.sign, name="sign"),
    path("<uuid:session_uuid>/rems/", views.rems_form, name="rems"),
    # REMS submission and vital-sign alerts (rems_views)
    path("<uuid:session_uuid>/rems/submission/", rems_views.rems_submit, name="rems_submit"),
    path(
        "vitals/<uuid:vital_uuid>/acknowledge/",
        rems_views.acknowledge_vital,
        name="acknowledge_vital",
    ),
]
