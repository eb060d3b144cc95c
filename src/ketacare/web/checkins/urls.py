from django.urls import path

from ketacare.web.checkins import views

app_name = "checkins"
urlpatterns = [
    path("checkins/", views.overview, name="list"),
    path("checkins/patient/<uuid:patient_uuid>/", views.patient_checkins, name="patient"),
    path("checkins/patient/<uuid:patient_uuid>/enrol/", views.enrol, name="enrol"),
    path("checkins/patient/<uuid:patient_uuid>/change/", views.change, name="change"),
    path("checkins/patient/<uuid:patient_uuid>/send/", views.send_now, name="send"),
    path("checkins/<uuid:checkin_uuid>/resend/", views.resend, name="resend"),
    # the patient's link: no login; the token is the only credential (see services)
    path("c/<str:token>/", views.answer, name="answer"),
    path("c/<str:token>/new/", views.new_link, name="new_link"),
]
