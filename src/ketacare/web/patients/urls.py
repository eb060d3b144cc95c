from django.urls import path

from ketacare.web.patients import intake_views, views

# the chart, ``patients:detail`` (``<uuid>/``), is the clinic app's: ``ketacare.web.urls`` adds it
# to this namespace (it shows courses, sessions and measures, from apps above this one)
app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_new, name="new"),
    path("<uuid:patient_uuid>/edit/", views.patient_edit, name="edit"),
    path("<uuid:patient_uuid>/intake/", intake_views.intake_page, name="intake"),
    path("<uuid:patient_uuid>/intake/trials/", intake_views.trial_add, name="trial_add"),
    path(
        "<uuid:patient_uuid>/intake/trials/<uuid:trial_uuid>/withdraw/",
        intake_views.trial_withdraw,
        name="trial_withdraw",
    ),
    path("<uuid:patient_uuid>/intake/screen/", intake_views.screen_record, name="screen"),
    path("<uuid:patient_uuid>/intake/consent/", intake_views.consent_record, name="consent"),
]
