from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "ketacare.web.patients"
    label = "patients"
    verbose_name = "Patients and intake"
    default_auto_field = "django.db.models.BigAutoField"
