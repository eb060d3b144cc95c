from django.urls import path

from ketacare.web.courses import views

app_name = "courses"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
]
