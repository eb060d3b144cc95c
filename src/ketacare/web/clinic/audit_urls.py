from django.urls import path

from ketacare.web.clinic import audit_views as views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export/", views.audit_export, name="export"),
]
