from django.urls import path

from ketacare.web.measures import views

app_name = "measures"
urlpatterns = [
    path("new/<uuid:patient_uuid>/", views.measure_new, name="new"),
    path("<uuid:measure_uuid>/withdraw/", views.measure_withdraw, name="withdraw"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<uuid:alert_uuid>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
]
