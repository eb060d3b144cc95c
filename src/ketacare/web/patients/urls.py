from django.urls import path

from ketacare.web.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_new, name="new"),
    path("<uuid:patient_uuid>/", views.patient_detail, name="detail"),
    path("<uuid:patient_uuid>/edit/", views.patient_edit, name="edit"),
]
