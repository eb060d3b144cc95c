from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "ketacare.web.treatments"
    label = "treatments"
    verbose_name = "Sessions at the chair"
    default_auto_field = "django.db.models.BigAutoField"
