from django.urls import path

from ketacare.web.courses import views

app_name = "courses"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("new/<uuid:patient_uuid>/", views.course_new, name="new"),
    path("<uuid:course_uuid>/", views.course_plan, name="plan"),
    path("<uuid:course_uuid>/status/", views.course_status, name="status"),
    path("planned/<uuid:planned_uuid>/missed/", views.planned_missed, name="missed"),
]
